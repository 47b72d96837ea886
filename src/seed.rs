//! `duta seed --demo`: a demo institution with a work-unit tree, a coordinator and a
//! leadership user, so every page has something to show. Idempotent: a second run finds
//! what the first made. Later issues add ambassadors, briefs and weeks of history here.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::accounts::forms::NewUser;
use crate::accounts::service::create_user;
use crate::auth::passwords::Hasher;
use crate::error::AppResult;
use crate::org::forms::{NewInstitution, NewWorkUnit};
use crate::org::service::{create_institution, create_work_unit};
use entity::{institutions, users, work_units};

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

pub async fn seed_demo(db: &DatabaseConnection, hasher: &Hasher) -> AppResult<Vec<DemoLogin>> {
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
            };
            create_institution(db, None, &input, None).await?
        }
    };
    let setjen = unit(db, institution.id, None, "Sekretariat Jenderal").await?;
    let humas = unit(db, institution.id, Some(setjen), "Biro Hubungan Masyarakat").await?;
    unit(db, institution.id, Some(humas), "Bagian Media Sosial").await?;
    unit(db, institution.id, Some(setjen), "Biro Hukum").await?;
    let ditjen = unit(
        db,
        institution.id,
        None,
        "Direktorat Jenderal Komunikasi Publik",
    )
    .await?;
    unit(
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
            Some(humas),
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
                password: DEMO_PASSWORD.into(),
            };
            create_user(db, hasher, None, &input, None).await?;
        }
        logins.push(DemoLogin { role, email });
    }
    Ok(logins)
}
