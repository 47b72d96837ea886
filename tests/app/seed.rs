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
        40,
        "the second run adds nothing"
    );
    assert_eq!(app.count("media").await, 24);
    let (s, _) = crate::support::json(
        app.login_api("koordinator@demo.duta.id", duta::seed::DEMO_PASSWORD)
            .await,
    )
    .await;
    assert_eq!(s, rocket::http::Status::Ok);

    // Three briefs of this week and sixteen over the twelve weeks before, once; an approved
    // demo ambassador sees this week's, urgent first.
    assert_eq!(app.count("briefs").await, 3 + 16);
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

    assert_living_programme(&app).await;
}

/// What a first look at the demo shows: figures, not zeros.
async fn assert_living_programme(app: &TestApp) {
    use rocket::http::Status;
    let posts = app.count("submissions").await;
    assert!(posts > 200, "{posts} posts over twelve weeks");
    for status in ["verified", "rejected", "pending"] {
        let n = app
            .count(&format!("submissions WHERE status = '{status}'"))
            .await;
        assert!(n > 0, "some {status} posts");
    }
    assert!(app.count("leaves").await >= 2);
    assert_eq!(app.count("holidays").await, 1);
    assert_eq!(
        app.count("integrity_flags WHERE cleared_at IS NULL").await,
        3
    );
    // The figures stored are the ones a rebuild computes.
    assert!(duta::leaderboard::service::rebuild(&app.db)
        .await
        .unwrap()
        .is_empty());
    assert!(duta::leaderboard::participation::check(&app.db)
        .await
        .unwrap()
        .is_empty());

    let (_, login) = crate::support::json(
        app.login_api("pimpinan@demo.duta.id", duta::seed::DEMO_PASSWORD)
            .await,
    )
    .await;
    let leader = login["token"].as_str().unwrap().to_string();
    let (s, stats) = crate::support::json(
        app.get_api("/api/v1/stats/participation?weeks=12", Some(&leader))
            .await,
    )
    .await;
    assert_eq!(s, Status::Ok, "{stats}");
    let weeks = stats["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    let rates: Vec<f64> = weeks
        .iter()
        .filter_map(|w| w["participation_rate"].as_f64())
        .collect();
    assert!(rates.len() >= 11, "{rates:?}");
    // The finished weeks; the current one may not have a post yet in its first hours.
    let (current, finished) = rates.split_last().unwrap();
    assert!(finished.iter().all(|r| *r > 0.2 && *r < 1.0), "{rates:?}");
    assert!((0.0..1.0).contains(current), "{rates:?}");
    let (_, finished_weeks) = weeks.split_last().unwrap();
    assert!(
        finished_weeks.iter().all(
            |w| w["reach"]["instagram"].as_u64() > Some(0) || w["participation_rate"].is_null()
        ),
        "reach every finished week"
    );
    let units = stats["work_units"].as_array().unwrap();
    assert!(units.len() >= 2);
    let unit_rates: Vec<f64> = units
        .iter()
        .filter_map(|u| u["rate_window"].as_f64())
        .collect();
    let (low, high) = unit_rates
        .iter()
        .fold((1.0f64, 0.0f64), |(l, h), r| (l.min(*r), h.max(*r)));
    assert!(
        high - low > 0.15,
        "a lagging unit stands out: {unit_rates:?}"
    );
    assert!(stats["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["posts"].as_u64() > Some(0)));

    let (_, login) = crate::support::json(
        app.login_api("koordinator@demo.duta.id", duta::seed::DEMO_PASSWORD)
            .await,
    )
    .await;
    let coordinator = login["token"].as_str().unwrap().to_string();
    let (s, board) = crate::support::json(
        app.get_api("/api/v1/leaderboard?weeks=12&limit=50", Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(s, Status::Ok, "{board}");
    let entries = board["entries"].as_array().unwrap();
    assert!(entries.len() >= 35, "{}", entries.len());
    assert!(entries
        .iter()
        .any(|e| e["current_streak"].as_u64() >= Some(4)));
    assert!(entries.iter().any(|e| e["new"] == true), "a newcomer");
    let (s, home) =
        crate::support::json(app.get_api("/api/v1/home", Some(&coordinator)).await).await;
    assert_eq!(s, Status::Ok, "{home}");
    let work = &home["work"];
    assert!(work["posts_waiting"].as_u64() > Some(0), "{work}");
    assert_eq!(work["open_flags"], 3, "{work}");
    assert!(work["not_posted_this_week"].as_u64() > Some(0), "{work}");
}
