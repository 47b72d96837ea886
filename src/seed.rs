//! `duta seed --demo`: a demo institution with a work-unit tree, a coordinator, a
//! leadership and a national user, and candidates in every state of the lifecycle, so
//! every page has something to show, this week's briefs and twelve weeks of history
//! (see [`history`]). Idempotent: a second run finds what the first made.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::ambassadors::forms::{PlatformInput, SignupRequest, CONSENT_VERSION};
use crate::ambassadors::service::{attach_screenshot, signup};
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Role;
use crate::followers::FollowerSources;
use crate::http::client_ip::ClientIp;
use crate::media::service::MediaStore;
use crate::notify::Mailer;
use crate::vetting::forms::{ApproveRequest, FollowersRequest, RejectRequest};
use crate::vetting::service::{approve, reject, set_followers};

use crate::accounts::forms::NewUser;
use crate::accounts::service::create_user;
use crate::auth::passwords::Hasher;
use crate::error::AppResult;
use crate::org::forms::{NewInstitution, NewWorkUnit};
use crate::org::service::{create_institution, create_work_unit};
use entity::{ambassadors, institutions, users, work_units};

pub mod bench;
pub mod history;

pub const DEMO_PASSWORD: &str = "duta-demo-2026";

pub struct DemoLogin {
    pub role: &'static str,
    pub email: &'static str,
}

async fn unit(
    db: &DatabaseConnection,
    institution_id: i64,
    parent: Option<i64>,
    name: &str,
) -> AppResult<i64> {
    let existing = work_units::Entity::find()
        .filter(work_units::Column::InstitutionId.eq(institution_id))
        .filter(work_units::Column::Name.eq(name))
        .one(db)
        .await?;
    if let Some(u) = existing {
        return Ok(u.id);
    }
    let u = create_work_unit(
        db,
        None,
        institution_id,
        &NewWorkUnit {
            name: name.into(),
            parent_id: parent,
        },
        None,
    )
    .await?;
    Ok(u.id)
}

pub async fn seed_demo(
    db: &DatabaseConnection,
    hasher: &Hasher,
    store: &MediaStore,
    key: &crate::nip::NipKey,
) -> AppResult<Vec<DemoLogin>> {
    let name = "Kementerian Komunikasi dan Digital (Demo)";
    let institution = match institutions::Entity::find()
        .filter(institutions::Column::Name.eq(name))
        .one(db)
        .await?
    {
        Some(i) => i,
        None => {
            let input = NewInstitution {
                name: name.into(),
                short_name: Some("Komdigi".into()),
                kind: "ministry".into(),
                region: None,
            };
            create_institution(db, None, &input, None).await?
        }
    };
    let setjen = unit(db, institution.id, None, "Sekretariat Jenderal").await?;
    let humas = unit(db, institution.id, Some(setjen), "Biro Hubungan Masyarakat").await?;
    let medsos = unit(db, institution.id, Some(humas), "Bagian Media Sosial").await?;
    let hukum = unit(db, institution.id, Some(setjen), "Biro Hukum").await?;
    let ditjen = unit(
        db,
        institution.id,
        None,
        "Direktorat Jenderal Komunikasi Publik",
    )
    .await?;
    let informasi = unit(
        db,
        institution.id,
        Some(ditjen),
        "Direktorat Informasi Publik",
    )
    .await?;

    let people = [
        (
            "coordinator",
            "koordinator@demo.duta.id",
            "Rina Koordinator",
            Some(institution.id),
            None,
        ),
        (
            "leadership",
            "pimpinan@demo.duta.id",
            "Bapak Pimpinan",
            Some(institution.id),
            None,
        ),
        (
            "national",
            "bakohumas@demo.duta.id",
            "Tim Bakohumas",
            None,
            None,
        ),
    ];
    let mut logins = Vec::new();
    for (role, email, person, institution_id, work_unit_id) in people {
        let exists = users::Entity::find()
            .filter(users::Column::Email.eq(email))
            .one(db)
            .await?
            .is_some();
        if !exists {
            let input = NewUser {
                email: email.into(),
                name: person.into(),
                role: role.into(),
                institution_id,
                work_unit_id,
                password: Some(DEMO_PASSWORD.into()),
            };
            create_user(db, hasher, None, &input, None).await?;
        }
        logins.push(DemoLogin { role, email });
    }
    seed_candidates(db, hasher, store, key, institution.id, &[humas, ditjen]).await?;
    seed_briefs(db, institution.id, humas).await?;
    history::seed_history(
        db,
        hasher,
        key,
        institution.id,
        &[humas, medsos, ditjen, informasi, hukum],
    )
    .await?;
    logins.push(DemoLogin {
        role: "ambassador",
        email: "duta1@demo.duta.id",
    });
    logins.push(DemoLogin {
        role: "ambassador (approved)",
        email: "duta3@demo.duta.id",
    });
    crate::leaderboard::participation::check(db).await?;
    crate::leaderboard::standings::build_current(db, false).await?;
    Ok(logins)
}

/// A profile screenshot stand-in: a header in the platform's colour over a pattern of its
/// own, so no two people's pictures look alike to the same-screenshot check.
fn demo_screenshot(seed: u8) -> Vec<u8> {
    let cell = |x: u32, y: u32| {
        let mut h = u32::from(seed).wrapping_mul(2_654_435_761) ^ (x / 45 + 8 * (y / 80));
        h = h.wrapping_mul(0x045d_9f3b);
        h ^= h >> 16;
        h.wrapping_mul(0x045d_9f3b) >> 28
    };
    let img = image::RgbImage::from_fn(360, 640, |x, y| {
        if y < 120 {
            image::Rgb([20, seed.saturating_add(60), 140])
        } else if (200..230).contains(&y) && (40..320).contains(&x) {
            image::Rgb([40, 40, 40])
        } else {
            let v = (cell(x, y) * 16) as u8;
            image::Rgb([v, v.wrapping_add(40), 248 - v / 2])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    match img.write_to(&mut out, image::ImageFormat::Png) {
        Ok(()) => out.into_inner(),
        Err(_) => Vec::new(),
    }
}

/// Eight candidates: pending (one waiting for two weeks), approved, rejected with a
/// reason, suspended and withdrawn. Their NIPs are made up but valid.
async fn seed_candidates(
    db: &DatabaseConnection,
    hasher: &Hasher,
    store: &MediaStore,
    key: &crate::nip::NipKey,
    institution_id: i64,
    units: &[i64],
) -> AppResult<()> {
    let people = [
        ("Dewi Lestari", "pending", "199001152015032001"),
        ("Agus Salim", "pending", "198803102012121002"),
        ("Siti Rahmawati", "approved", "198609262015052001"),
        ("Bambang Wijaya", "approved", "198512032010011003"),
        ("Rina Marlina", "approved", "199204172019032002"),
        ("Hendra Gunawan", "rejected", "198707072014021001"),
        ("Yuni Astuti", "suspended", "199111112017012002"),
        ("Fajar Nugroho", "withdrawn", "198901012013031004"),
    ];
    let sources = FollowerSources::default();
    let coordinator = users::Entity::find()
        .filter(users::Column::Email.eq("koordinator@demo.duta.id"))
        .one(db)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    for (n, (name, state, nip)) in people.iter().enumerate() {
        let email = format!("duta{}@demo.duta.id", n + 1);
        if users::Entity::find()
            .filter(users::Column::Email.eq(email.as_str()))
            .one(db)
            .await?
            .is_some()
        {
            continue;
        }
        let slug: String = name
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .collect();
        let input = SignupRequest {
            name: name.to_string(),
            display_name: name.split(' ').next().unwrap_or(name).to_string(),
            nip: nip.to_string(),
            employee_type: "pns".into(),
            email: email.clone(),
            phone: format!("0812 5550 {:04}", n + 1),
            institution_id: Some(institution_id),
            work_unit_id: Some(units[n % units.len()]),
            password: DEMO_PASSWORD.into(),
            consent: true,
            consent_version: CONSENT_VERSION.into(),
            referral_code: None,
            platforms: ["facebook", "x", "instagram"]
                .iter()
                .enumerate()
                .map(|(i, p)| PlatformInput {
                    platform: p.to_string(),
                    handle: match *p {
                        "facebook" => format!("{slug}.fb"),
                        "x" => format!("{}_x", &slug[..slug.len().min(12)]),
                        _ => format!("{slug}.ig"),
                    },
                    method: "screenshot".into(),
                    count: Some(serde_json::json!(
                        520 + 137 * (n as i64 + 1) * (i as i64 + 1)
                    )),
                })
                .collect(),
        };
        let ip = ClientIp(None);
        let (user, amb) = signup(db, None, None, hasher, &sources, key, &input, &ip).await?;
        let me = CurrentUser {
            user: user.clone(),
            role: Role::Ambassador,
            work_unit_path: None,
            two_factor_pending: false,
            stamps: None,
            opening_stamps: None,
        };
        for (i, platform) in ["facebook", "x", "instagram"].iter().enumerate() {
            let media = store
                .store(
                    db,
                    user.id,
                    Some(institution_id),
                    "screenshot",
                    demo_screenshot(((n * 3 + i) * 8) as u8),
                )
                .await?;
            attach_screenshot(db, &me, platform, media.id, None, &ip).await?;
        }
        let koor = CurrentUser {
            user: coordinator.clone(),
            role: Role::Coordinator,
            work_unit_path: None,
            two_factor_pending: false,
            stamps: None,
            opening_stamps: None,
        };
        let mailer = Mailer::default();
        if *state != "pending" {
            for platform in ["facebook", "x", "instagram"] {
                let count = if *state == "rejected" && platform == "instagram" {
                    310
                } else {
                    900 + 50 * n as i64
                };
                let req = FollowersRequest {
                    platform: platform.into(),
                    count: Some(serde_json::json!(count)),
                };
                set_followers(db, &koor, amb.id, &req, &ip).await?;
            }
        }
        match *state {
            "pending" if n == 1 => {
                let mut a: ambassadors::ActiveModel = amb.clone().into();
                a.submitted_at = Set(Utc::now() - Duration::days(14));
                a.update(db).await?;
            }
            "rejected" => {
                let req = RejectRequest {
                    reason:
                        "Jumlah pengikut Instagram di bawah 500; tambahkan tangkapan layar terbaru."
                            .into(),
                };
                reject(db, &mailer, &koor, amb.id, &req, &ip).await?;
            }
            "approved" | "suspended" | "withdrawn" => {
                let since = (Utc::now() - Duration::weeks(20 + 4 * n as i64))
                    .format("%Y-%m-%d")
                    .to_string();
                approve(
                    db,
                    key,
                    &mailer,
                    &koor,
                    amb.id,
                    &ApproveRequest {
                        member_since: Some(since),
                    },
                    &ip,
                )
                .await?;
                if *state != "approved" {
                    let fresh = ambassadors::Entity::find_by_id(amb.id)
                        .one(db)
                        .await?
                        .ok_or(crate::error::AppError::NotFound)?;
                    let mut a: ambassadors::ActiveModel = fresh.into();
                    a.status = Set(state.to_string());
                    if *state == "withdrawn" {
                        a.withdrawn_at = Set(Some(Utc::now()));
                    }
                    a.update(db).await?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Three briefs of this week, one of them an urgent hoax clarification and one addressed
/// to the PR bureau only; skipped when the demo institution already has them.
async fn seed_briefs(db: &DatabaseConnection, institution_id: i64, humas: i64) -> AppResult<()> {
    use crate::briefs::forms::{BriefRequest, Fact};
    use chrono::{Duration, Utc};
    let coordinator = users::Entity::find()
        .filter(users::Column::Email.eq("koordinator@demo.duta.id"))
        .one(db)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let exists = entity::briefs::Entity::find()
        .filter(entity::briefs::Column::InstitutionId.eq(institution_id))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let tz = crate::settings::service::programme_timezone(db).await?;
    let week = crate::briefs::rules::IsoWeek::of(Utc::now().with_timezone(&tz).date_naive());
    let koor = CurrentUser {
        user: coordinator,
        role: Role::Coordinator,
        work_unit_path: None,
        two_factor_pending: false,
        stamps: None,
        opening_stamps: None,
    };
    let shipped: Vec<i64> = entity::story_templates::Entity::find()
        .filter(entity::story_templates::Column::Slug.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let briefs = [
        BriefRequest {
            title: "Klarifikasi: tidak ada pemadaman internet nasional".into(),
            category: "kontra_narasi".into(),
            priority: "urgent".into(),
            key_messages: "Pesan berantai tentang pemadaman internet nasional pekan ini adalah hoaks.\nInformasi resmi hanya dari kanal Komdigi.".into(),
            facts: vec![Fact {
                text: "Tidak ada jadwal pemeliharaan jaringan nasional bulan ini".into(),
                source: "Siaran pers Komdigi".into(),
            }],
            hashtags: vec!["CekFakta".into(), "LawanHoaks".into()],
            mentions: vec!["@kemkomdigi".into()],
            dos: "Sebut sumber resmi. Ajak orang memeriksa sebelum membagikan.".into(),
            donts: "Jangan membagikan ulang tangkapan layar hoaksnya.".into(),
            sample: "Pesan soal pemadaman internet nasional itu hoaks. Cek faktanya di kanal resmi Komdigi.".into(),
            platforms: vec!["x".into(), "instagram".into(), "facebook".into()],
            deadline: (Utc::now() + Duration::hours(8)).to_rfc3339(),
            template_ids: shipped.clone(),
            ..Default::default()
        },
        BriefRequest {
            title: "Waspada penipuan lewat file APK undangan".into(),
            category: "edukasi".into(),
            priority: "normal".into(),
            key_messages: "Jangan memasang aplikasi dari pesan WhatsApp yang tidak dikenal.\nLaporkan ke aduankonten.id.".into(),
            facts: vec![Fact {
                text: "Modus undangan pernikahan palsu berbentuk APK marak sejak 2023".into(),
                source: "Komdigi".into(),
            }],
            hashtags: vec!["LiterasiDigital".into(), "JagaRuangDigital".into()],
            mentions: vec!["@kemkomdigi".into()],
            dos: "Ceritakan pengalaman keluarga atau teman (dengan izin).".into(),
            donts: "Jangan menampilkan data pribadi korban.".into(),
            sample: "Hati-hati, undangan pernikahan berbentuk file APK bisa mencuri data di ponsel Anda.".into(),
            platforms: vec!["x".into(), "instagram".into(), "facebook".into(), "tiktok".into()],
            deadline: (Utc::now() + Duration::days(4)).to_rfc3339(),
            template_ids: shipped.clone(),
            ..Default::default()
        },
        BriefRequest {
            title: "Kenalkan kanal aduan konten kepada warga".into(),
            category: "sosialisasi".into(),
            priority: "normal".into(),
            key_messages: "Warga bisa melaporkan konten negatif lewat aduankonten.id.".into(),
            hashtags: vec!["AduanKonten".into()],
            platforms: vec!["instagram".into(), "facebook".into()],
            deadline: (Utc::now() + Duration::days(5)).to_rfc3339(),
            work_unit_ids: vec![humas],
            ..Default::default()
        },
    ];
    let mailer = Mailer::default();
    let ip = ClientIp(None);
    for mut b in briefs {
        b.week = week.to_string();
        b.status = "published".into();
        crate::briefs::service::create_brief(db, &mailer, &koor, &b, &ip).await?;
    }
    Ok(())
}
