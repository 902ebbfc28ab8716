//! The figures README.md quotes are the ones BENCHMARKS.md measured.
//!
//! README's figure tables have the header `| benchmark | server | COLUMN |`:
//! each row names a BENCHMARKS.md section (its `## ` title, word for word, its
//! parenthesized remark left out) and a server of that section's table, and
//! quotes the median of that row's COLUMN. So a benchmark run that changes a
//! figure fails this test until README follows.

use std::collections::HashMap;
use std::path::Path;

/// One markdown table: its header cells and rows, and the `## ` title above it.
struct Table {
    section: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_owned())
        .collect()
}

fn tables(markdown: &str) -> Vec<Table> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut lines = markdown.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(title) = line.strip_prefix("## ") {
            section = title.trim().to_owned();
            continue;
        }
        let is_table_start = line.starts_with('|')
            && lines
                .peek()
                .is_some_and(|next| next.starts_with("|---") || next.starts_with("| ---"));
        if !is_table_start {
            continue;
        }
        lines.next(); // the |---| line
        let mut table = Table {
            section: section.clone(),
            header: cells(line),
            rows: Vec::new(),
        };
        while let Some(row) = lines.next_if(|l| l.starts_with('|')) {
            table.rows.push(cells(row));
        }
        out.push(table);
    }
    out
}

/// The median of a BENCHMARKS.md cell such as `6.63 (5.83-7.59)`.
fn median(cell: &str) -> &str {
    cell.split(" (").next().unwrap_or(cell).trim()
}

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (section, server, column) -> value, for every table of BENCHMARKS.md.
fn measured() -> HashMap<(String, String, String), String> {
    let mut values = HashMap::new();
    for table in tables(&read("BENCHMARKS.md")) {
        for row in &table.rows {
            for (column, value) in table.header.iter().zip(row).skip(1) {
                values.insert(
                    (table.section.clone(), row[0].clone(), column.clone()),
                    median(value).to_owned(),
                );
            }
        }
    }
    values
}

/// The BENCHMARKS.md section `cell` names: its title word for word, or the
/// title without its parenthesized remark.
fn section_named<'a>(sections: impl Iterator<Item = &'a String>, cell: &str) -> Option<&'a String> {
    sections.into_iter().find(|title| {
        *title == cell
            || title
                .strip_prefix(cell)
                .is_some_and(|rest| rest.starts_with(" ("))
    })
}

/// README's checked tables: `| benchmark | server | COLUMN |`, where COLUMN
/// is a column of BENCHMARKS.md. Returns (line of the row, section, server,
/// column, quoted figure).
fn quoted_figures(readme: &str) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for table in tables(readme) {
        if table.header.first().map(String::as_str) != Some("benchmark") {
            continue;
        }
        for row in &table.rows {
            let [section, server, quoted] = &row[..] else {
                panic!("README figure row {row:?} needs 3 cells: benchmark, server, figure");
            };
            out.push((
                section.clone(),
                server.clone(),
                table.header[2].clone(),
                quoted.clone(),
            ));
        }
    }
    out
}

#[test]
fn readme_figures_are_the_measured_ones() {
    let measured = measured();
    let sections: Vec<String> = measured.keys().map(|(s, _, _)| s.clone()).collect();
    let figures = quoted_figures(&read("README.md"));
    for (cell, server, column, quoted) in &figures {
        let Some(section) = section_named(sections.iter(), cell) else {
            panic!("README names benchmark {cell:?}, which BENCHMARKS.md does not have");
        };
        let key = (section.clone(), server.clone(), column.clone());
        let Some(value) = measured.get(&key) else {
            panic!("README quotes {key:?}, which BENCHMARKS.md does not have");
        };
        assert_eq!(
            quoted.trim_end_matches('x'),
            value,
            "README quotes {quoted} as {column} of {server} in \"{section}\"; BENCHMARKS.md says {value}"
        );
    }
    assert!(
        figures.len() >= 8,
        "only {} README figures found",
        figures.len()
    );
}

#[test]
fn readme_gives_idle_memory_only_in_its_checked_table() {
    let readme = read("README.md");
    let unchecked: Vec<&str> = readme
        .lines()
        .filter(|l| l.to_lowercase().contains("idle") && l.contains(" KB"))
        .filter(|l| !l.starts_with("| Idle WebSocket connections"))
        .collect();
    assert!(
        unchecked.is_empty(),
        "README gives idle-connection memory outside the table checked against BENCHMARKS.md: {unchecked:#?}"
    );
}
