//! `duta seed --demo` fills every state and can run twice.

use crate::support::TestApp;

#[rocket::async_test]
async fn the_demo_has_candidates_in_every_state_and_runs_twice() {
    let app = TestApp::spawn().await;
    let hasher = app
        .client
        .rocket()
        .state::<duta::auth::passwords::Hasher>()
        .unwrap();
    let store = app
        .client
        .rocket()
        .state::<duta::media::service::MediaStore>()
        .unwrap();
    let logins = duta::seed::seed_demo(&app.db, hasher, store).await.unwrap();
    assert!(logins.iter().any(|l| l.role == "coordinator"));
    duta::seed::seed_demo(&app.db, hasher, store).await.unwrap();
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
}
