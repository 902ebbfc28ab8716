// Node `ws` echo server for examples/ws_check.rs (our client).
//
// Usage: node node_server.mjs [127.0.0.1:0]; prints `listening on HOST:PORT`.
// Echoes text and binary on any path, and answers the paths ws_check.rs lists:
// /send-fragmented, /send-invalid-utf8, /send-big?bytes=N, /last-close.
import { WebSocketServer } from 'ws';

const [host, port] = (process.argv[2] || '127.0.0.1:0').split(/:(?=\d+$)/);
// perMessageDeflate: off by default on ws servers; on, for our client's checks.
const wss = new WebSocketServer({
  host, port: Number(port), maxPayload: 16 * 1024 * 1024, perMessageDeflate: true,
});
let lastClose = 'none';

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'ws://localhost');
  if (url.pathname === '/last-close') {
    ws.send(lastClose, () => ws.close());
    return;
  }
  ws.on('close', (code, reason) => {
    lastClose = `${code} ${reason.toString()}`;
  });
  ws.on('error', () => {}); // reported as a close as well
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  if (url.pathname === '/send-fragmented') {
    ws.send('frag-1 ', { fin: false });
    ws.send('frag-2 ', { fin: false });
    ws.send('frag-3 é', { fin: true });
  } else if (url.pathname === '/send-invalid-utf8') {
    // A Buffer with binary: false goes out in a text frame, unchecked.
    ws.send(Buffer.from([0xff, 0xfe, 0x20, 0x21]), { binary: false });
  } else if (url.pathname === '/send-big') {
    ws.send(Buffer.alloc(Number(url.searchParams.get('bytes')), 0x78));
  }
});

wss.on('listening', () => {
  const addr = wss.address();
  console.log(`listening on ${addr.address}:${addr.port}`);
});
wss.on('error', (err) => {
  console.error(`node_server: ${err.message}`);
  process.exit(1);
});
