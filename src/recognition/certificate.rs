//! A certificate of participation as a one-page PDF (A4 landscape, Indonesian), written
//! with the PDF base font Helvetica so nothing is embedded: text outside its Latin
//! character set prints as `?`.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// What one certificate says, already worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printable {
    pub institution: String,
    pub holder: String,
    pub unit: String,
    /// Like `1 Juli 2026 – 31 Desember 2026`.
    pub period: String,
    /// Like `12 pekan aktif · 30 unggahan terverifikasi · 5 pelajaran selesai`.
    pub figures: String,
    /// Like `6 Desember 2026`.
    pub issued: String,
    pub code: String,
    /// The public page that checks the code.
    pub verify_url: String,
}

const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// A date as Indonesian letters write it: `6 Desember 2026`.
pub fn tanggal(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// The text in the font's encoding (WinAnsi): Latin-1 as it is, a few typographic marks
/// at their places, anything else `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '–' => 0x96,
            '—' => 0x97,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '…' => 0x85,
            _ => b'?',
        })
        .collect()
}

/// Helvetica's advance widths (thousandths of the size) for the printable ASCII range,
/// from the font's published metrics; other characters are taken as 556.
const WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // digits
    278, 278, 584, 584, 584, 556, 1015, // ':'..'@'
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // 'A'..'M'
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // 'N'..'Z'
    278, 278, 278, 469, 556, 333, // '['..'`'
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // 'a'..'m'
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // 'n'..'z'
    334, 260, 334, 584, // '{'..'~'
];

fn width(bytes: &[u8], size: f32) -> f32 {
    let units: u32 = bytes
        .iter()
        .map(|b| match b {
            32..=126 => u32::from(WIDTHS[usize::from(b - 32)]),
            0xB7 => 278,
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

const PAGE_W: f32 = 842.0;
const PAGE_H: f32 = 595.0;
/// The widest a line may be; a longer one is set smaller.
const LINE_MAX: f32 = 740.0;

/// One centred line at `y`, set at `size` or smaller to fit.
fn centred(content: &mut Content, font: Name, text: &str, size: f32, y: f32) {
    let bytes = win_ansi(text);
    let natural = width(&bytes, size);
    let size = if natural > LINE_MAX {
        size * LINE_MAX / natural
    } else {
        size
    };
    let x = (PAGE_W - width(&bytes, size)) / 2.0;
    content
        .begin_text()
        .set_font(font, size)
        .next_line(x, y)
        .show(Str(&bytes))
        .end_text();
}

/// The certificate as a PDF file.
pub fn render(c: &Printable) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let page = Ref::new(3);
    let regular = Ref::new(4);
    let bold = Ref::new(5);
    let stream = Ref::new(6);
    let info = Ref::new(7);
    let (f1, f2) = (Name(b"F1"), Name(b"F2"));

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
        .parent(tree)
        .contents(stream);
    p.resources().fonts().pair(f1, regular).pair(f2, bold);
    p.finish();
    for (id, name) in [(regular, &b"Helvetica"[..]), (bold, &b"Helvetica-Bold"[..])] {
        pdf.type1_font(id)
            .base_font(Name(name))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info)
        .title(TextStr(&format!("Sertifikat Partisipasi {}", c.code)))
        .producer(TextStr("Duta"));

    let mut content = Content::new();
    // A double frame in the programme's green.
    content.set_stroke_rgb(0.11, 0.42, 0.29).set_line_width(3.0);
    content
        .rect(24.0, 24.0, PAGE_W - 48.0, PAGE_H - 48.0)
        .stroke();
    content.set_line_width(0.8);
    content
        .rect(34.0, 34.0, PAGE_W - 68.0, PAGE_H - 68.0)
        .stroke();
    content.set_fill_rgb(0.11, 0.42, 0.29);
    centred(&mut content, f2, "SERTIFIKAT PARTISIPASI", 30.0, 490.0);
    content.set_fill_gray(0.15);
    centred(&mut content, f1, "Program Duta ASN", 14.0, 458.0);
    centred(&mut content, f2, &c.institution, 16.0, 434.0);
    centred(&mut content, f1, "diberikan kepada", 12.0, 390.0);
    centred(&mut content, f2, &c.holder, 26.0, 352.0);
    centred(&mut content, f1, &c.unit, 12.0, 330.0);
    centred(
        &mut content,
        f1,
        &format!(
            "atas partisipasinya sebagai Duta ASN pada periode {}",
            c.period
        ),
        12.0,
        288.0,
    );
    centred(&mut content, f1, &c.figures, 12.0, 266.0);
    centred(
        &mut content,
        f1,
        &format!("Diterbitkan pada {}", c.issued),
        11.0,
        200.0,
    );
    centred(
        &mut content,
        f2,
        &format!("Kode verifikasi: {}", c.code),
        11.0,
        110.0,
    );
    centred(
        &mut content,
        f1,
        &format!("Periksa keasliannya di {}", c.verify_url),
        9.0,
        92.0,
    );
    pdf.stream(stream, &content.finish());
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Printable {
        Printable {
            institution: "Kementerian Contoh".into(),
            holder: "Siti Rahmawati".into(),
            unit: "Biro Humas".into(),
            period: "1 Juli 2026 – 31 Desember 2026".into(),
            figures: "12 pekan aktif · 30 unggahan terverifikasi · 5 pelajaran selesai".into(),
            issued: "6 Desember 2026".into(),
            code: "12-0123456789ab".into(),
            verify_url: "https://duta.example.go.id/verify/12-0123456789ab".into(),
        }
    }

    #[test]
    fn a_certificate_is_one_pdf_page_with_its_text() {
        let pdf = render(&sample());
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 1"));
        assert!(
            text.contains("(Siti Rahmawati)"),
            "the holder is written as text"
        );
        assert!(text.contains("Kode verifikasi: 12-0123456789ab"));
        assert!(text.contains("/WinAnsiEncoding"));
    }

    #[test]
    fn text_outside_the_font_prints_as_a_question_mark() {
        assert_eq!(win_ansi("Ayu Ñ – 李"), b"Ayu \xd1 \x96 ?".to_vec());
        // Parentheses and backslashes in a name cannot break the PDF string.
        let pdf = render(&Printable {
            holder: "Budi (\\) )(".into(),
            ..sample()
        });
        assert!(String::from_utf8_lossy(&pdf).contains("Budi"));
    }

    #[test]
    fn long_lines_are_set_smaller_to_fit() {
        let long = "Kementerian ".repeat(20);
        let bytes = win_ansi(&long);
        assert!(width(&bytes, 16.0) > LINE_MAX);
        let mut c = Content::new();
        centred(&mut c, Name(b"F1"), &long, 16.0, 100.0);
        let ops = String::from_utf8_lossy(&c.finish()).to_string();
        let size: f32 = ops
            .split_whitespace()
            .collect::<Vec<_>>()
            .windows(2)
            .find(|w| w[1] == "Tf")
            .map(|w| w[0].parse().unwrap())
            .unwrap();
        assert!(
            size < 16.0 && (width(&bytes, size) - LINE_MAX).abs() < 1.0,
            "{size}"
        );
        assert_eq!(
            tanggal(chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()),
            "6 Desember 2026"
        );
    }
}
