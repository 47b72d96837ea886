//! `duta seed --demo` fills every state and can run twice.

use crate::support::TestApp;

#[rocket::async_test]
async fn the_demo_has_candidates_in_every_state_and_runs_twice() {
    let app = TestApp::spawn().await;
    let hasher = duta::state::part::<duta::auth::passwords::Hasher>(app.client.rocket()).unwrap();
    let store = duta::state::part::<duta::media::service::MediaStore>(app.client.rocket()).unwrap();
    let logins = duta::seed::seed_demo(&app.db, hasher, store, app.nip_key())
        .await
        .unwrap();
    assert!(logins.iter().any(|l| l.role == "coordinator"));
    duta::seed::seed_demo(&app.db, hasher, store, app.nip_key())
        .await
        .unwrap();
    use sea_orm::EntityTrait;
    let mut states: Vec<String> = entity::ambassadors::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.status)
        .collect();
    states.sort();
    states.dedup();
    assert_eq!(
        states,
        vec!["approved", "pending", "rejected", "suspended", "withdrawn"]
    );
    assert_eq!(
        app.count("ambassadors").await,
        8,
        "the second run adds nothing"
    );
    assert_eq!(app.count("media").await, 24);
    let (s, _) = crate::support::json(
        app.login_api("koordinator@demo.duta.id", duta::seed::DEMO_PASSWORD)
            .await,
    )
    .await;
    assert_eq!(s, rocket::http::Status::Ok);

    // Three briefs of this week, once; an approved demo ambassador sees them, urgent first.
    assert_eq!(app.count("briefs").await, 3);
    let (s, login) = crate::support::json(
        app.login_api("duta3@demo.duta.id", duta::seed::DEMO_PASSWORD)
            .await,
    )
    .await;
    assert_eq!(s, rocket::http::Status::Ok, "{login}");
    let token = login["token"].as_str().unwrap();
    let (_, week) =
        crate::support::json(app.get_api("/api/v1/briefs/current", Some(token)).await).await;
    let briefs = week["briefs"].as_array().unwrap();
    assert_eq!(briefs.len(), 3, "{week}");
    assert_eq!(briefs[0]["priority"], "urgent");
}
