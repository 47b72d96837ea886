//! Statistics tables and their downloads: CSV for any tool, XLSX for the offices that
//! work in Excel. Both keep text as text, so a name such as "=HYPERLINK(…)" can never
//! run as a formula on a leader's computer.

use rust_xlsxwriter::{ColNum, Format, RowNum, Workbook, XlsxError};

/// One table of a download; in an XLSX file, one worksheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The worksheet's name; [`sheet_name`] makes it one Excel accepts.
    pub name: String,
    pub columns: Vec<Column>,
    /// One cell per column: missing cells are written empty, extra cells are dropped.
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub label: String,
    pub kind: Kind,
}

/// How a column's numbers are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    /// A percentage as 0..100 (not 0..1), shown with one decimal.
    Percent,
    /// Shown with two decimals.
    Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    Empty,
}

/// Excel's limit on a sheet name, in UTF-16 units.
const SHEET_NAME_MAX: usize = 31;
const FILE_NAME_MAX: usize = 120;

/// The cells of a row, exactly one per column.
fn cells<'a>(table: &Table, row: &'a [Cell]) -> impl Iterator<Item = &'a Cell> {
    row.iter()
        .chain(std::iter::repeat(&Cell::Empty))
        .take(table.columns.len())
}

/// A number as a CSV field: dot decimal, the column's precision; nothing for NaN.
fn csv_number(v: f64, kind: Kind) -> String {
    if !v.is_finite() {
        return String::new();
    }
    match kind {
        Kind::Integer => format!("{v:.0}"),
        Kind::Percent => format!("{v:.1}"),
        Kind::Decimal => format!("{v:.2}"),
        Kind::Text => v.to_string(),
    }
}

/// Spreadsheets run a field that starts with one of these as a formula, even in a
/// CSV file; a leading apostrophe makes it text (OWASP's "CSV injection" advice).
pub fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn write_csv(table: &Table) -> csv::Result<Vec<u8>> {
    // The byte-order mark makes Excel read the file as UTF-8 rather than the
    // Windows code page.
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(table.columns.iter().map(|c| defuse(&c.label)))?;
    for row in &table.rows {
        writer.write_record(cells(table, row).zip(&table.columns).map(
            |(cell, column)| match cell {
                Cell::Text(text) => defuse(text),
                Cell::Int(i) => i.to_string(),
                Cell::Num(v) => csv_number(*v, column.kind),
                Cell::Empty => String::new(),
            },
        ))?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

/// The table as a UTF-8 CSV file, header first.
pub fn to_csv(table: &Table) -> Vec<u8> {
    // Writing to memory cannot fail, and every record has the header's length, so
    // there is no error to report.
    write_csv(table).unwrap_or_default()
}

/// `raw` made into a sheet name Excel accepts (≤ 31 UTF-16 units, none of `[]:*?/\`,
/// no apostrophe at either end, not "History") that is not yet in `taken`, compared
/// without case as Excel does; the name is added to `taken`.
pub fn sheet_name(raw: &str, taken: &mut Vec<String>) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let cleaned = cleaned.trim_matches(|c: char| c == '\'' || c.is_whitespace());
    let base = if cleaned.is_empty() { "Sheet" } else { cleaned };

    let is_free = |name: &str| {
        !name.eq_ignore_ascii_case("History")
            && !taken
                .iter()
                .any(|t| t.to_lowercase() == name.to_lowercase())
    };
    let mut name = truncate_utf16(base, SHEET_NAME_MAX);
    let mut n = 2;
    while !is_free(&name) {
        let suffix = format!(" ({n})");
        name = format!(
            "{}{suffix}",
            truncate_utf16(base, SHEET_NAME_MAX - suffix.len()).trim_end()
        );
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// The longest prefix of `text` within `max` UTF-16 units, never ending in an
/// apostrophe.
fn truncate_utf16(text: &str, max: usize) -> String {
    let mut units = 0;
    let prefix: String = text
        .chars()
        .take_while(|c| {
            units += c.len_utf16();
            units <= max
        })
        .collect();
    prefix.trim_end_matches('\'').to_string()
}

/// Display width of a cell in Excel's character units, for the column widths.
fn display_width(cell: &Cell, kind: Kind) -> usize {
    match cell {
        Cell::Text(text) => text.chars().count(),
        Cell::Int(i) => i.to_string().len(),
        Cell::Num(v) => csv_number(*v, kind).len(),
        Cell::Empty => 0,
    }
}

/// The tables as an Excel workbook, one worksheet each: a bold, frozen header row,
/// numbers as numbers and text always as text.
pub fn to_xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let header = Format::new().set_bold();
    let integer = Format::new().set_num_format("0");
    let percent = Format::new().set_num_format("0.0");
    let decimal = Format::new().set_num_format("0.00");
    let general = Format::new();

    let mut workbook = Workbook::new();
    let mut taken = Vec::new();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&table.name, &mut taken))?;
        sheet.set_freeze_panes(1, 0)?;
        for (c, column) in table.columns.iter().enumerate() {
            let col = ColNum::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            sheet.write_string_with_format(0, col, &column.label, &header)?;
            let widest = table
                .rows
                .iter()
                .filter_map(|row| row.get(c))
                .map(|cell| display_width(cell, column.kind))
                .fold(column.label.chars().count(), usize::max);
            // Room for the bold header and a little air, but no wall-wide columns.
            sheet.set_column_width(col, (widest + 2).clamp(8, 60) as f64)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let row_num = RowNum::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, (cell, column)) in cells(table, row).zip(&table.columns).enumerate() {
                let col = ColNum::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
                let format = match column.kind {
                    Kind::Integer => &integer,
                    Kind::Percent => &percent,
                    Kind::Decimal => &decimal,
                    Kind::Text => &general,
                };
                match cell {
                    Cell::Text(text) => {
                        sheet.write_string(row_num, col, text)?;
                    }
                    // Counts stay far below 2^53, where f64 would lose precision.
                    Cell::Int(i) => {
                        sheet.write_number_with_format(row_num, col, *i as f64, format)?;
                    }
                    Cell::Num(v) if v.is_finite() => {
                        sheet.write_number_with_format(row_num, col, *v, format)?;
                    }
                    Cell::Num(_) | Cell::Empty => {}
                }
            }
        }
    }
    workbook.save_to_buffer()
}

/// A download's file name from its parts ("partisipasi", the unit's name, the period):
/// lowercase ASCII words joined by `-`, parts by `_`, never empty, at most 120
/// characters before the extension.
pub fn file_name(parts: &[&str], ext: &str) -> String {
    let slugs: Vec<String> = parts
        .iter()
        .map(|part| slug(part))
        .filter(|s| !s.is_empty())
        .collect();
    let mut stem = slugs.join("_");
    stem.truncate(FILE_NAME_MAX);
    let stem = stem.trim_end_matches(['-', '_']);
    let stem = if stem.is_empty() { "export" } else { stem };
    let ext = slug(ext);
    if ext.is_empty() {
        stem.to_string()
    } else {
        format!("{stem}.{ext}")
    }
}

/// Lowercase ASCII letters and digits; every other run of characters becomes one `-`.
fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn table(rows: Vec<Vec<Cell>>) -> Table {
        Table {
            name: "Partisipasi".into(),
            columns: vec![
                Column {
                    label: "Unit kerja".into(),
                    kind: Kind::Text,
                },
                Column {
                    label: "Duta".into(),
                    kind: Kind::Integer,
                },
                Column {
                    label: "Partisipasi (%)".into(),
                    kind: Kind::Percent,
                },
                Column {
                    label: "Rata-rata".into(),
                    kind: Kind::Decimal,
                },
            ],
            rows,
        }
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn csv_has_a_bom_a_header_and_dot_decimals() {
        let csv = to_csv(&table(vec![
            vec![
                text("Dinas Komunikasi, Informatika"),
                Cell::Int(12),
                Cell::Num(87.54),
                Cell::Num(1.5),
            ],
            vec![text("Sekretariat Daerah"), Cell::Empty],
        ]));
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(csv[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "Unit kerja,Duta,Partisipasi (%),Rata-rata\n\
             \"Dinas Komunikasi, Informatika\",12,87.5,1.50\n\
             Sekretariat Daerah,,,\n"
        );
    }

    #[test]
    fn csv_defuses_formulas_in_text_only() {
        let csv = to_csv(&table(vec![
            vec![text("=HYPERLINK(\"http://evil\")"), Cell::Int(-3)],
            vec![text("+62 812"), Cell::Num(f64::NAN)],
            vec![text("-1"), Cell::Empty, Cell::Num(-2.0)],
            vec![text("@SUM(A1)")],
            vec![text("\tx")],
            vec![text("\rx")],
            vec![text("Kominfo = humas")],
        ]));
        let text = String::from_utf8(csv[3..].to_vec()).unwrap();
        let first_fields: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(first_fields[0], r#""'=HYPERLINK(""http://evil"")""#);
        assert_eq!(first_fields[1], "'+62 812");
        assert_eq!(first_fields[2], "'-1");
        assert_eq!(first_fields[3], "'@SUM(A1)");
        assert!(text.contains("'\tx"));
        assert!(text.contains("\"'\rx\""));
        assert_eq!(first_fields.last().unwrap(), &"Kominfo = humas");
        // Numbers are not text: a negative count keeps its sign.
        assert!(text.contains(",-3,"));
        assert!(text.contains(",-2.0,"));
    }

    #[test]
    fn xlsx_is_a_zip_and_handles_ten_thousand_rows() {
        let rows = (0..10_000)
            .map(|i| {
                vec![
                    text(&format!("=Unit {i}")),
                    Cell::Int(i),
                    Cell::Num((i % 100) as f64),
                    Cell::Num(0.25),
                ]
            })
            .collect();
        let second = Table {
            name: "Partisipasi".into(),
            ..table(vec![vec![Cell::Num(f64::INFINITY)]])
        };
        let bytes = to_xlsx(&[table(rows), second]).unwrap();
        assert!(bytes.starts_with(b"PK"));
        assert!(to_xlsx(&[]).unwrap().starts_with(b"PK"));
    }

    /// One XML part of a workbook. rust_xlsxwriter turns on `zip`'s deflate feature,
    /// so the project's `zip` can read what it writes.
    fn xlsx_part(bytes: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut xml).unwrap();
        xml
    }

    #[test]
    fn xlsx_keeps_text_as_text_and_numbers_as_numbers() {
        let bytes = to_xlsx(&[table(vec![vec![
            text("=1+1"),
            Cell::Int(7),
            Cell::Num(87.54),
            Cell::Empty,
        ]])])
        .unwrap();
        let sheet = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(!sheet.contains("<f>"), "{sheet}");
        assert!(xlsx_part(&bytes, "xl/sharedStrings.xml").contains(">=1+1</t>"));
        assert!(sheet.contains("<v>7</v>") && sheet.contains("<v>87.54</v>"));
        assert!(sheet.contains(r#"ySplit="1""#), "frozen header");
        assert!(sheet.contains("<cols>"), "column widths");
        let styles = xlsx_part(&bytes, "xl/styles.xml");
        assert!(styles.contains(r#"formatCode="0.0""#) && styles.contains("<b/>"));
        assert!(xlsx_part(&bytes, "xl/workbook.xml").contains(r#"name="Partisipasi""#));
    }

    #[test]
    fn sheet_names_are_sanitised_and_unique() {
        let mut taken = Vec::new();
        assert_eq!(sheet_name("Partisipasi", &mut taken), "Partisipasi");
        assert_eq!(sheet_name("partisipasi", &mut taken), "partisipasi (2)");
        assert_eq!(sheet_name("PARTISIPASI", &mut taken), "PARTISIPASI (3)");
        assert_eq!(sheet_name("Q1/2026: [X]*?\\", &mut taken), "Q1 2026 X");
        assert_eq!(sheet_name("'kutip'", &mut taken), "kutip");
        assert_eq!(sheet_name("  ", &mut taken), "Sheet");
        assert_eq!(sheet_name("", &mut taken), "Sheet (2)");
        assert_eq!(sheet_name("History", &mut taken), "History (2)");

        let long = "Kementerian Komunikasi dan Informatika";
        let first = sheet_name(long, &mut taken);
        assert_eq!(first, "Kementerian Komunikasi dan Info");
        let second = sheet_name(long, &mut taken);
        assert_eq!(second, "Kementerian Komunikasi dan (2)");
        // Counted in UTF-16 units, as Excel does: each emoji is two.
        let emoji = sheet_name(&"😀".repeat(20), &mut taken);
        assert_eq!(emoji.chars().count(), 15);
        assert!(taken
            .iter()
            .all(|n| n.encode_utf16().count() <= SHEET_NAME_MAX));

        // Names Excel would reject never reach it.
        let tables: Vec<Table> = ["a/b", "A/B", "History", "", "x'"]
            .iter()
            .map(|name| Table {
                name: (*name).into(),
                ..table(Vec::new())
            })
            .collect();
        assert!(to_xlsx(&tables).is_ok());
    }

    #[test]
    fn file_names_are_slugs() {
        assert_eq!(
            file_name(&["partisipasi", "Kementerian Kominfo", "12 minggu"], "xlsx"),
            "partisipasi_kementerian-kominfo_12-minggu.xlsx"
        );
        assert_eq!(
            file_name(&["  Dinas   Kominfo -- Jatim!! ", "", "2026-W47"], ".csv"),
            "dinas-kominfo-jatim_2026-w47.csv"
        );
        assert_eq!(file_name(&["Ümit Café"], "csv"), "mit-caf.csv");
        assert_eq!(file_name(&[], "csv"), "export.csv");
        assert_eq!(file_name(&["???"], "xlsx"), "export.xlsx");
        let long = file_name(&["a".repeat(100).as_str(), "b".repeat(100).as_str()], "csv");
        assert!(long.len() <= FILE_NAME_MAX + ".csv".len());
        assert!(long.ends_with(".csv") && !long.contains("_.") && !long.contains("-."));
    }
}
