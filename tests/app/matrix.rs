//! The role matrix: every route mounted in Duta is classified here, and each is tried
//! anonymously, by every role, and by the right role out of its scope. A new route that
//! is not classified fails this test.

use rocket::http::{ContentType, Cookie, Header, Status};
use serde_json::json;

use crate::support::{TestApp, CSRF};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Coordinators, leadership, national users and admins.
    Staff,
    /// Coordinators and admins.
    Coordinator,
    /// Ambassadors and candidates.
    Ambassador,
    Admin,
    /// Those who report hoaxes: (approved) ambassadors and coordinators.
    Reporter,
    /// Coordinators, national users and admins: the hoax triage lists, national briefs.
    Coordinating,
    /// National users: they write national briefs.
    National,
    /// Coordinators only: they answer a national brief for their institution.
    InstitutionDesk,
    /// Those in draft reviews: ambassadors (who ask), coordinators and admins.
    Mentoring,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Param {
    None,
    /// `<id>` is an institution; staff of another institution get 404.
    Institution,
    /// `<id>` is an institution whose public page anyone reads (404 for none).
    PublicInstitution,
    /// `<id>` is a user (admin-only routes).
    User,
    /// `<id>` is a candidate; coordinators of another institution get 404.
    Candidate,
    /// `<id>` is a stored image; people outside its institution get 404.
    Media,
    /// `<platform>` is one of the candidate's platforms.
    Platform,
    /// `<id>` is a published brief of the own institution, for everyone in it.
    Brief,
    /// `<id>` is a storytelling template of the own institution.
    Template,
    /// `<id>` is a pending submission of the own institution's ambassador.
    Submission,
    /// `<id>` is an open integrity flag on the own institution's candidate.
    Flag,
    /// `<id>` is a holiday week (admins only); the API and the page remove one each.
    Holiday,
    HolidayPage,
    /// `<id>` is the user of the own institution's candidate: coordinators of another
    /// institution get 404.
    AmbassadorUser,
    /// `<id>` is a work unit of the own institution (admins only): a spare one, with
    /// nobody in it.
    WorkUnit,
    /// `<id>` is a hoax case in the own institution's triage list (for national users,
    /// one in the national list).
    HoaxCase,
    /// `<id>` is a national brief addressed to the own institution (and not the other).
    NationalBrief,
    /// `<id>` is a saved draft of the own institution's candidate.
    Draft,
    /// `<id>` is a review of that draft.
    Review,
    /// `<id>` is a lesson Duta ships (on everyone's path).
    Lesson,
    /// `<id>` is a lesson the own institution wrote.
    OwnLesson,
    /// `<id>` is a certificate of the ambassador.
    Certificate,
}

/// (method, route, access, what `<id>` is)
const MATRIX: &[(&str, &str, Access, Param)] = &[
    ("GET", "/", Access::SignedIn, Param::None),
    ("GET", "/me/data", Access::SignedIn, Param::None),
    (
        "GET",
        "/integrity?<status>",
        Access::Coordinator,
        Param::None,
    ),
    (
        "POST",
        "/integrity/<id>/clear",
        Access::Coordinator,
        Param::Flag,
    ),
    (
        "GET",
        "/api/v1/integrity?<status>&<ambassador_id>",
        Access::Coordinator,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/integrity/<id>/clear",
        Access::Coordinator,
        Param::Flag,
    ),
    ("POST", "/login/code", Access::Public, Param::None),
    ("GET", "/email/confirm/<token>", Access::Public, Param::None),
    (
        "POST",
        "/email/confirm/<token>",
        Access::Public,
        Param::None,
    ),
    (
        "POST",
        "/me/email/confirmation",
        Access::Ambassador,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/auth/email/confirm",
        Access::Public,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/me/email-confirmation",
        Access::Ambassador,
        Param::None,
    ),
    ("GET", "/password/forgot", Access::Public, Param::None),
    ("POST", "/password/forgot", Access::Public, Param::None),
    (
        "GET",
        "/password/reset/<token>",
        Access::Public,
        Param::None,
    ),
    (
        "POST",
        "/password/reset/<token>",
        Access::Public,
        Param::None,
    ),
    (
        "POST",
        "/users/<id>/password-reset-link",
        Access::Coordinator,
        Param::AmbassadorUser,
    ),
    (
        "POST",
        "/users/<id>/two-factor/reset",
        Access::Coordinator,
        Param::AmbassadorUser,
    ),
    (
        "POST",
        "/api/v1/auth/password/forgot",
        Access::Public,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/auth/password/reset",
        Access::Public,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/users/<id>/password-reset-link",
        Access::Coordinator,
        Param::AmbassadorUser,
    ),
    (
        "POST",
        "/api/v1/users/<id>/two-factor/reset",
        Access::Coordinator,
        Param::AmbassadorUser,
    ),
    ("GET", "/invitation/<token>", Access::Public, Param::None),
    ("POST", "/invitation/<token>", Access::Public, Param::None),
    (
        "POST",
        "/users/<id>/invitation",
        Access::Coordinator,
        Param::AmbassadorUser,
    ),
    (
        "POST",
        "/users/<id>/invitation/revoke",
        Access::Coordinator,
        Param::AmbassadorUser,
    ),
    (
        "POST",
        "/api/v1/auth/invitation/accept",
        Access::Public,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/users/<id>/invitation",
        Access::Coordinator,
        Param::AmbassadorUser,
    ),
    (
        "DELETE",
        "/api/v1/users/<id>/invitation",
        Access::Coordinator,
        Param::AmbassadorUser,
    ),
    ("GET", "/account/two-factor", Access::SignedIn, Param::None),
    (
        "POST",
        "/account/two-factor/enable",
        Access::SignedIn,
        Param::None,
    ),
    (
        "POST",
        "/account/two-factor/recovery-codes",
        Access::SignedIn,
        Param::None,
    ),
    (
        "POST",
        "/account/two-factor/disable",
        Access::SignedIn,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/me/two-factor/setup",
        Access::SignedIn,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/me/two-factor/enable",
        Access::SignedIn,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/me/two-factor/disable",
        Access::SignedIn,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/me/two-factor/recovery-codes",
        Access::SignedIn,
        Param::None,
    ),
    (
        "GET",
        "/audit?<action>&<actor>&<target_type>&<target_id>&<from>&<to>&<page>",
        Access::Coordinator,
        Param::None,
    ),
    (
        "GET",
        "/audit/export.csv?<action>&<actor>&<target_type>&<target_id>&<from>&<to>",
        Access::Coordinator,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/audit?<action>&<actor>&<target_type>&<target_id>&<from>&<to>&<limit>&<offset>",
        Access::Coordinator,
        Param::None,
    ),
    ("GET", "/me/data/download", Access::SignedIn, Param::None),
    ("POST", "/me/data", Access::SignedIn, Param::None),
    ("POST", "/me/data/withdraw", Access::SignedIn, Param::None),
    ("POST", "/me/data/erase", Access::SignedIn, Param::None),
    ("GET", "/api/v1/me/export", Access::SignedIn, Param::None),
    ("PUT", "/api/v1/me/profile", Access::SignedIn, Param::None),
    (
        "POST",
        "/api/v1/me/withdrawal",
        Access::SignedIn,
        Param::None,
    ),
    ("POST", "/api/v1/me/erasure", Access::SignedIn, Param::None),
    (
        "POST",
        "/api/v1/submissions",
        Access::Ambassador,
        Param::None,
    ),
    (
        "GET",
        "/submissions?<status>&<page>",
        Access::Coordinator,
        Param::None,
    ),
    (
        "POST",
        "/submissions/<id>/verify",
        Access::Coordinator,
        Param::Submission,
    ),
    (
        "POST",
        "/submissions/<id>/reject",
        Access::Coordinator,
        Param::Submission,
    ),
    (
        "POST",
        "/submissions/<id>/revert",
        Access::Coordinator,
        Param::Submission,
    ),
    (
        "GET",
        "/submissions/reminders?<work_unit_id>",
        Access::Coordinator,
        Param::None,
    ),
    ("GET", "/api/v1/home", Access::Staff, Param::None),
    (
        "POST",
        "/briefs/<id>/copy",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "POST",
        "/briefs/<id>/delete",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "POST",
        "/api/v1/briefs/<id>/copy",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "DELETE",
        "/api/v1/briefs/<id>",
        Access::Coordinator,
        Param::Brief,
    ),
    ("POST", "/submissions/bulk", Access::Coordinator, Param::None),
    (
        "POST",
        "/api/v1/submissions/bulk/verify",
        Access::Coordinator,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/submissions/bulk/reject",
        Access::Coordinator,
        Param::None,
    ),
    (
        "GET",
        "/briefs/<id>/audience?<state>&<page>",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "GET",
        "/briefs/<id>/audience.csv?<state>",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "GET",
        "/api/v1/briefs/<id>/audience?<state>&<limit>&<offset>",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "GET",
        "/stats?<institution_id>&<work_unit_id>&<platform>&<weeks>",
        Access::Staff,
        Param::None,
    ),
    (
        "GET",
        "/stats/report?<institution_id>&<work_unit_id>&<platform>&<weeks>",
        Access::Staff,
        Param::None,
    ),
    (
        "GET",
        "/stats/export/<file>?<institution_id>&<work_unit_id>&<platform>&<weeks>",
        Access::Staff,
        Param::None,
    ),
    (
        "GET",
        "/roster?<q>&<status>&<work_unit_id>&<verdict>&<invitation>&<attention>&<no_post_weeks>&<sort>&<page>",
        Access::Staff,
        Param::None,
    ),
    (
        "GET",
        "/roster/export/<file>?<q>&<status>&<work_unit_id>&<verdict>&<invitation>&<attention>&<no_post_weeks>&<sort>",
        Access::Staff,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/roster?<q>&<status>&<work_unit_id>&<verdict>&<invitation>&<attention>&<no_post_weeks>&<sort>&<limit>&<offset>",
        Access::Staff,
        Param::None,
    ),
    ("POST", "/api/v1/roster/bulk", Access::Coordinator, Param::None),
    ("POST", "/roster/bulk", Access::Coordinator, Param::None),
    (
        "GET",
        "/api/v1/stats/participation?<institution_id>&<work_unit_id>&<platform>&<weeks>",
        Access::Staff,
        Param::None,
    ),
    (
        "GET",
        "/leaderboard?<work_unit_id>&<weeks>&<page>",
        Access::SignedIn,
        Param::None,
    ),
    ("GET", "/progress?<weeks>", Access::Ambassador, Param::None),
    ("GET", "/admin/holidays", Access::Admin, Param::None),
    ("POST", "/admin/holidays", Access::Admin, Param::None),
    (
        "POST",
        "/admin/holidays/<id>/delete",
        Access::Admin,
        Param::HolidayPage,
    ),
    (
        "GET",
        "/ambassadors/<id>/leave?<edit>",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/ambassadors/<id>/leave/<leave_id>",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/ambassadors/<id>/leave/<leave_id>/cancel",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "PUT",
        "/api/v1/ambassadors/<id>/leaves/<leave_id>",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "DELETE",
        "/api/v1/ambassadors/<id>/leaves/<leave_id>",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/ambassadors/<id>/leave",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/briefs/<id>/submissions",
        Access::Ambassador,
        Param::Brief,
    ),
    (
        "GET",
        "/api/v1/submissions/mine?<brief_id>",
        Access::Ambassador,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/submissions?<status>&<page>",
        Access::Coordinator,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/submissions/<id>",
        Access::Coordinator,
        Param::Submission,
    ),
    (
        "POST",
        "/api/v1/submissions/<id>/verify",
        Access::Coordinator,
        Param::Submission,
    ),
    (
        "POST",
        "/api/v1/submissions/<id>/reject",
        Access::Coordinator,
        Param::Submission,
    ),
    (
        "POST",
        "/api/v1/submissions/<id>/revert",
        Access::Coordinator,
        Param::Submission,
    ),
    (
        "GET",
        "/api/v1/leaderboard?<institution_id>&<work_unit_id>&<weeks>&<limit>&<offset>",
        Access::SignedIn,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/leaderboard/me?<weeks>",
        Access::Ambassador,
        Param::None,
    ),
    ("GET", "/api/v1/holidays", Access::Staff, Param::None),
    ("POST", "/api/v1/holidays", Access::Admin, Param::None),
    (
        "DELETE",
        "/api/v1/holidays/<id>",
        Access::Admin,
        Param::Holiday,
    ),
    (
        "GET",
        "/api/v1/ambassadors/<id>/leaves",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/api/v1/ambassadors/<id>/leaves",
        Access::Coordinator,
        Param::Candidate,
    ),
    ("POST", "/language", Access::Public, Param::None),
    ("GET", "/healthz", Access::Public, Param::None),
    ("GET", "/metrics", Access::Public, Param::None),
    ("GET", "/login?<next>", Access::Public, Param::None),
    ("POST", "/login", Access::Public, Param::None),
    ("POST", "/logout", Access::Public, Param::None),
    ("GET", "/account/password", Access::SignedIn, Param::None),
    ("POST", "/account/password", Access::SignedIn, Param::None),
    ("GET", "/admin/institutions", Access::Admin, Param::None),
    ("POST", "/admin/institutions", Access::Admin, Param::None),
    (
        "GET",
        "/admin/institutions/<id>",
        Access::Admin,
        Param::Institution,
    ),
    (
        "POST",
        "/admin/institutions/<id>/work-units",
        Access::Admin,
        Param::Institution,
    ),
    (
        "POST",
        "/admin/institutions/<id>",
        Access::Admin,
        Param::Institution,
    ),
    (
        "POST",
        "/admin/institutions/<id>/work-units/change",
        Access::Admin,
        Param::Institution,
    ),
    (
        "POST",
        "/admin/institutions/<id>/work-units/merge",
        Access::Admin,
        Param::Institution,
    ),
    (
        "GET",
        "/admin/users?<q>&<role>&<status>&<page>",
        Access::Admin,
        Param::None,
    ),
    ("POST", "/admin/users", Access::Admin, Param::None),
    ("GET", "/admin/users/<id>", Access::Admin, Param::User),
    ("POST", "/admin/users/<id>", Access::Admin, Param::User),
    (
        "POST",
        "/admin/users/<id>/deactivate",
        Access::Admin,
        Param::User,
    ),
    (
        "POST",
        "/admin/users/<id>/reactivate",
        Access::Admin,
        Param::User,
    ),
    ("GET", "/admin/settings", Access::Admin, Param::None),
    ("GET", "/admin/jobs", Access::Admin, Param::None),
    ("GET", "/api/v1/admin/jobs", Access::Admin, Param::None),
    ("POST", "/admin/settings", Access::Admin, Param::None),
    ("GET", "/api/openapi.json", Access::Public, Param::None),
    ("POST", "/api/v1/auth/login", Access::Public, Param::None),
    ("POST", "/api/v1/auth/logout", Access::SignedIn, Param::None),
    ("GET", "/api/v1/me", Access::SignedIn, Param::None),
    ("POST", "/api/v1/me/password", Access::SignedIn, Param::None),
    ("GET", "/api/v1/institutions", Access::Staff, Param::None),
    ("POST", "/api/v1/institutions", Access::Admin, Param::None),
    (
        "GET",
        "/api/v1/institutions/<id>",
        Access::Staff,
        Param::Institution,
    ),
    (
        "GET",
        "/api/v1/institutions/<id>/work-units",
        Access::Staff,
        Param::Institution,
    ),
    (
        "POST",
        "/api/v1/institutions/<id>/work-units",
        Access::Admin,
        Param::Institution,
    ),
    (
        "PUT",
        "/api/v1/institutions/<id>",
        Access::Admin,
        Param::Institution,
    ),
    (
        "PUT",
        "/api/v1/work-units/<id>",
        Access::Admin,
        Param::WorkUnit,
    ),
    (
        "POST",
        "/api/v1/work-units/<id>/merge",
        Access::Admin,
        Param::WorkUnit,
    ),
    (
        "GET",
        "/api/v1/users?<q>&<role>&<status>&<limit>&<offset>",
        Access::Admin,
        Param::None,
    ),
    ("POST", "/api/v1/users", Access::Admin, Param::None),
    ("PUT", "/api/v1/users/<id>", Access::Admin, Param::User),
    (
        "POST",
        "/api/v1/users/<id>/deactivate",
        Access::Admin,
        Param::User,
    ),
    (
        "POST",
        "/api/v1/users/<id>/reactivate",
        Access::Admin,
        Param::User,
    ),
    ("GET", "/api/v1/settings", Access::Staff, Param::None),
    ("PUT", "/api/v1/settings", Access::Admin, Param::None),
    ("GET", "/assets/<path..>", Access::Public, Param::None),
    ("POST", "/api/v1/signup", Access::Public, Param::None),
    ("GET", "/api/v1/signup/form", Access::Public, Param::None),
    (
        "GET",
        "/api/v1/me/ambassador",
        Access::Ambassador,
        Param::None,
    ),
    (
        "PUT",
        "/api/v1/me/ambassador",
        Access::Ambassador,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/me/platforms/<platform>/screenshot",
        Access::Ambassador,
        Param::Platform,
    ),
    (
        "POST",
        "/api/v1/me/platforms/<platform>/account",
        Access::Ambassador,
        Param::Platform,
    ),
    (
        "GET",
        "/api/v1/vetting/candidates?<status>&<work_unit_id>",
        Access::Coordinator,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/vetting/candidates/<id>",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/api/v1/vetting/candidates/<id>/approve",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/api/v1/vetting/candidates/<id>/reject",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/api/v1/vetting/candidates/<id>/followers",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/api/v1/vetting/candidates/<id>/recheck",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/api/v1/vetting/candidates/<id>/suspend",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/api/v1/vetting/candidates/<id>/remove",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/api/v1/vetting/candidates/<id>/reinstate",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/vetting/candidates/<id>/suspend",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/vetting/candidates/<id>/remove",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/vetting/candidates/<id>/reinstate",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/vetting/candidates/<id>/record",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "PUT",
        "/api/v1/vetting/candidates/<id>/record",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "GET",
        "/vetting?<status>&<work_unit_id>",
        Access::Coordinator,
        Param::None,
    ),
    (
        "GET",
        "/vetting/candidates/<id>",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/vetting/candidates/<id>/approve",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/vetting/candidates/<id>/reject",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/vetting/candidates/<id>/followers",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/vetting/candidates/<id>/recheck",
        Access::Coordinator,
        Param::Candidate,
    ),
    ("GET", "/signup?<from..>", Access::Public, Param::None),
    ("POST", "/signup", Access::Public, Param::None),
    (
        "GET",
        "/program/<id>?<referral..>",
        Access::Public,
        Param::PublicInstitution,
    ),
    (
        "GET",
        "/program/<id>/qr.svg?<referral..>",
        Access::Public,
        Param::PublicInstitution,
    ),
    (
        "GET",
        "/recruitment?<institution>",
        Access::Coordinator,
        Param::None,
    ),
    (
        "POST",
        "/recruitment?<institution>",
        Access::Coordinator,
        Param::None,
    ),
    ("GET", "/me/referral", Access::Ambassador, Param::None),
    ("GET", "/learn", Access::Mentoring, Param::None),
    ("GET", "/learn/<id>", Access::Mentoring, Param::Lesson),
    ("POST", "/learn/<id>/attempt", Access::Ambassador, Param::Lesson),
    ("GET", "/api/v1/lessons", Access::Mentoring, Param::None),
    ("GET", "/api/v1/lessons/<id>", Access::Mentoring, Param::Lesson),
    (
        "POST",
        "/api/v1/lessons/<id>/attempts",
        Access::Ambassador,
        Param::Lesson,
    ),
    (
        "GET",
        "/learn/new?<institution>",
        Access::Coordinator,
        Param::None,
    ),
    ("POST", "/learn?<institution>", Access::Coordinator, Param::None),
    ("GET", "/learn/<id>/edit", Access::Coordinator, Param::OwnLesson),
    ("POST", "/learn/<id>", Access::Coordinator, Param::OwnLesson),
    (
        "POST",
        "/learn/<id>/required?<institution>",
        Access::Coordinator,
        Param::Lesson,
    ),
    (
        "GET",
        "/learn/progress?<institution>",
        Access::Staff,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/lessons?<institution>",
        Access::Coordinator,
        Param::None,
    ),
    ("PUT", "/api/v1/lessons/<id>", Access::Coordinator, Param::OwnLesson),
    (
        "PUT",
        "/api/v1/lessons/<id>/required",
        Access::Coordinator,
        Param::Lesson,
    ),
    (
        "GET",
        "/api/v1/lessons/progress?<institution>",
        Access::Staff,
        Param::None,
    ),
    ("GET", "/certificates?<page>", Access::Coordinator, Param::None),
    ("POST", "/certificates", Access::Coordinator, Param::None),
    (
        "GET",
        "/certificates/<id>/pdf",
        Access::SignedIn,
        Param::Certificate,
    ),
    (
        "GET",
        "/certificates/zip?<from>&<to>",
        Access::Coordinator,
        Param::None,
    ),
    ("GET", "/me/certificates", Access::Ambassador, Param::None),
    ("GET", "/verify/<code>", Access::Public, Param::None),
    ("POST", "/api/v1/certificates", Access::Coordinator, Param::None),
    (
        "GET",
        "/api/v1/certificates?<limit>&<offset>",
        Access::Coordinator,
        Param::None,
    ),
    ("GET", "/api/v1/me/certificates", Access::Ambassador, Param::None),
    (
        "GET",
        "/api/v1/certificates/verify/<code>",
        Access::Public,
        Param::None,
    ),
    ("GET", "/badges", Access::Public, Param::None),
    ("GET", "/me/badges", Access::Ambassador, Param::None),
    ("POST", "/me/badges", Access::Ambassador, Param::None),
    ("GET", "/api/v1/badges", Access::Public, Param::None),
    ("GET", "/api/v1/me/badges", Access::Ambassador, Param::None),
    ("PUT", "/api/v1/me/badges", Access::Ambassador, Param::None),
    ("POST", "/learn/<id>/images", Access::Coordinator, Param::OwnLesson),
    (
        "POST",
        "/learn/<id>/images/<image_id>/delete",
        Access::Coordinator,
        Param::OwnLesson,
    ),
    (
        "GET",
        "/learn/<id>/images/<image_id>",
        Access::Mentoring,
        Param::OwnLesson,
    ),
    // Archiving is the last of the own lesson's rows: archiving twice is no error.
    ("POST", "/learn/<id>/archive", Access::Coordinator, Param::OwnLesson),
    (
        "DELETE",
        "/api/v1/lessons/<id>",
        Access::Coordinator,
        Param::OwnLesson,
    ),
    ("POST", "/drafts/<id>/review", Access::Ambassador, Param::Draft),
    (
        "GET",
        "/reviews?<mine>&<state>&<page>",
        Access::Mentoring,
        Param::None,
    ),
    ("GET", "/reviews/<id>", Access::Mentoring, Param::Review),
    (
        "POST",
        "/reviews/<id>/comments",
        Access::Coordinator,
        Param::Review,
    ),
    (
        "POST",
        "/reviews/<id>/versions",
        Access::Ambassador,
        Param::Review,
    ),
    (
        "POST",
        "/vetting/candidates/<id>/mentor",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "POST",
        "/api/v1/drafts/<id>/review",
        Access::Ambassador,
        Param::Draft,
    ),
    (
        "GET",
        "/api/v1/reviews?<mine>&<state>&<page>",
        Access::Mentoring,
        Param::None,
    ),
    ("GET", "/api/v1/reviews/<id>", Access::Mentoring, Param::Review),
    (
        "POST",
        "/api/v1/reviews/<id>/comments",
        Access::Coordinator,
        Param::Review,
    ),
    (
        "POST",
        "/api/v1/reviews/<id>/versions",
        Access::Ambassador,
        Param::Review,
    ),
    (
        "PUT",
        "/api/v1/ambassadors/<id>/mentor",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "DELETE",
        "/api/v1/ambassadors/<id>/mentor",
        Access::Coordinator,
        Param::Candidate,
    ),
    (
        "GET",
        "/api/v1/institutions/<id>/programme?<referral..>",
        Access::Public,
        Param::PublicInstitution,
    ),
    (
        "PUT",
        "/api/v1/institutions/<id>/programme",
        Access::Coordinator,
        Param::Institution,
    ),
    ("GET", "/api/v1/me/referral", Access::Ambassador, Param::None),
    (
        "GET",
        "/api/v1/recruitment?<institution>",
        Access::Coordinator,
        Param::None,
    ),
    ("GET", "/me/status", Access::Ambassador, Param::None),
    ("POST", "/me/status", Access::Ambassador, Param::None),
    (
        "POST",
        "/me/platforms/<platform>/screenshot",
        Access::Ambassador,
        Param::Platform,
    ),
    (
        "POST",
        "/me/platforms/<platform>/account",
        Access::Ambassador,
        Param::Platform,
    ),
    (
        "POST",
        "/api/v1/vetting/import?<institution_id>",
        Access::Coordinator,
        Param::None,
    ),
    ("GET", "/vetting/import", Access::Coordinator, Param::None),
    ("POST", "/vetting/import", Access::Coordinator, Param::None),
    ("GET", "/media/<id>", Access::SignedIn, Param::Media),
    ("GET", "/media/<id>/thumb", Access::SignedIn, Param::Media),
    ("GET", "/briefs?<week>", Access::Coordinator, Param::None),
    ("GET", "/briefs/new", Access::Coordinator, Param::None),
    ("GET", "/notifications", Access::SignedIn, Param::None),
    (
        "POST",
        "/briefs/<id>/images",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "POST",
        "/briefs/<id>/images/<image_id>/focal",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "GET",
        "/briefs/<id>/images/<image_id>/<variant>",
        Access::SignedIn,
        Param::Brief,
    ),
    (
        "GET",
        "/briefs/<id>/images.zip",
        Access::SignedIn,
        Param::Brief,
    ),
    (
        "POST",
        "/api/v1/briefs/<id>/images",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "POST",
        "/api/v1/briefs/<id>/images/<image_id>/file",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "DELETE",
        "/api/v1/briefs/<id>/images/<image_id>",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "POST",
        "/briefs/<id>/images/<image_id>/file",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "POST",
        "/briefs/<id>/images/<image_id>/delete",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "GET",
        "/api/v1/notifications/email",
        Access::SignedIn,
        Param::None,
    ),
    (
        "PUT",
        "/api/v1/notifications/email",
        Access::SignedIn,
        Param::None,
    ),
    ("POST", "/notifications/email", Access::SignedIn, Param::None),
    (
        "GET",
        "/api/v1/notifications",
        Access::SignedIn,
        Param::None,
    ),
    ("POST", "/briefs", Access::Coordinator, Param::None),
    (
        "GET",
        "/briefs/<id>/edit",
        Access::Coordinator,
        Param::Brief,
    ),
    ("POST", "/briefs/<id>", Access::Coordinator, Param::Brief),
    (
        "POST",
        "/briefs/pause-all",
        Access::Coordinator,
        Param::None,
    ),
    (
        "POST",
        "/briefs/resume-all",
        Access::Coordinator,
        Param::None,
    ),
    ("GET", "/briefs/<id>", Access::SignedIn, Param::Brief),
    (
        "GET",
        "/briefs/<id>/compose?<template>&<draft>",
        Access::Ambassador,
        Param::Brief,
    ),
    (
        "POST",
        "/briefs/<id>/compose",
        Access::Ambassador,
        Param::Brief,
    ),
    ("GET", "/templates", Access::Coordinator, Param::None),
    ("GET", "/templates/new", Access::Coordinator, Param::None),
    ("POST", "/templates", Access::Coordinator, Param::None),
    (
        "GET",
        "/templates/<id>",
        Access::Coordinator,
        Param::Template,
    ),
    ("POST", "/api/v1/briefs", Access::Coordinator, Param::None),
    (
        "PUT",
        "/api/v1/briefs/<id>",
        Access::Coordinator,
        Param::Brief,
    ),
    (
        "GET",
        "/api/v1/briefs?<week>",
        Access::SignedIn,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/briefs/current",
        Access::Ambassador,
        Param::None,
    ),
    ("GET", "/api/v1/briefs/<id>", Access::SignedIn, Param::Brief),
    (
        "POST",
        "/api/v1/briefs/pause-all?<institution_id>",
        Access::Coordinator,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/briefs/resume-all?<institution_id>",
        Access::Coordinator,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/story-templates?<archived>",
        Access::SignedIn,
        Param::None,
    ),
    (
        "PUT",
        "/api/v1/story-templates/<id>",
        Access::Coordinator,
        Param::Template,
    ),
    (
        "POST",
        "/api/v1/story-templates/<id>/archive",
        Access::Coordinator,
        Param::Template,
    ),
    (
        "POST",
        "/api/v1/story-templates/<id>/restore",
        Access::Coordinator,
        Param::Template,
    ),
    (
        "GET",
        "/templates/<id>/edit",
        Access::Coordinator,
        Param::Template,
    ),
    ("POST", "/templates/<id>", Access::Coordinator, Param::Template),
    (
        "POST",
        "/templates/<id>/archive",
        Access::Coordinator,
        Param::Template,
    ),
    (
        "POST",
        "/templates/<id>/restore",
        Access::Coordinator,
        Param::Template,
    ),
    (
        "POST",
        "/api/v1/story-templates",
        Access::Coordinator,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/story-templates/<id>/render",
        Access::SignedIn,
        Param::Template,
    ),
    (
        "POST",
        "/api/v1/briefs/<id>/seen",
        Access::Ambassador,
        Param::Brief,
    ),
    (
        "GET",
        "/api/v1/briefs/<id>/amplification",
        Access::Coordinator,
        Param::Brief,
    ),
    ("GET", "/sw.js", Access::Public, Param::None),
    ("GET", "/offline", Access::Public, Param::None),
    ("GET", "/push/key", Access::SignedIn, Param::None),
    ("POST", "/push/subscriptions", Access::SignedIn, Param::None),
    ("POST", "/push/unsubscribe", Access::SignedIn, Param::None),
    ("GET", "/api/v1/push/key", Access::SignedIn, Param::None),
    (
        "GET",
        "/api/v1/push/subscriptions",
        Access::SignedIn,
        Param::None,
    ),
    (
        "POST",
        "/api/v1/push/subscriptions",
        Access::SignedIn,
        Param::None,
    ),
    (
        "DELETE",
        "/api/v1/push/subscriptions",
        Access::SignedIn,
        Param::None,
    ),
    ("GET", "/hoaxes/new", Access::Reporter, Param::None),
    ("POST", "/hoaxes", Access::Reporter, Param::None),
    ("GET", "/hoaxes/mine?<page>", Access::Reporter, Param::None),
    (
        "GET",
        "/hoaxes?<state>&<q>&<page>",
        Access::Coordinating,
        Param::None,
    ),
    ("GET", "/hoaxes/<id>", Access::Coordinating, Param::HoaxCase),
    (
        "POST",
        "/hoaxes/<id>/decide",
        Access::Coordinating,
        Param::HoaxCase,
    ),
    (
        "POST",
        "/hoaxes/<id>/forward",
        Access::Coordinating,
        Param::HoaxCase,
    ),
    (
        "POST",
        "/hoaxes/<id>/clarify",
        Access::Coordinator,
        Param::HoaxCase,
    ),
    ("POST", "/api/v1/hoax-reports", Access::Reporter, Param::None),
    (
        "GET",
        "/api/v1/hoax-reports/mine?<page>",
        Access::Reporter,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/hoax-cases?<state>&<q>&<page>",
        Access::Coordinating,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/hoax-cases/<id>",
        Access::Coordinating,
        Param::HoaxCase,
    ),
    (
        "POST",
        "/api/v1/hoax-cases/<id>/decide",
        Access::Coordinating,
        Param::HoaxCase,
    ),
    (
        "POST",
        "/api/v1/hoax-cases/<id>/forward",
        Access::Coordinating,
        Param::HoaxCase,
    ),
    (
        "POST",
        "/api/v1/hoax-cases/<id>/clarification",
        Access::Coordinator,
        Param::HoaxCase,
    ),
    (
        "GET",
        "/national-briefs?<page>",
        Access::Coordinating,
        Param::None,
    ),
    (
        "GET",
        "/national-briefs/new?<case>",
        Access::National,
        Param::None,
    ),
    ("POST", "/national-briefs", Access::National, Param::None),
    (
        "GET",
        "/national-briefs/<id>",
        Access::Coordinating,
        Param::NationalBrief,
    ),
    (
        "POST",
        "/national-briefs/<id>/adopt",
        Access::InstitutionDesk,
        Param::NationalBrief,
    ),
    (
        "POST",
        "/national-briefs/<id>/decline",
        Access::InstitutionDesk,
        Param::NationalBrief,
    ),
    (
        "POST",
        "/api/v1/national-briefs",
        Access::National,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/national-briefs?<page>",
        Access::Coordinating,
        Param::None,
    ),
    (
        "GET",
        "/api/v1/national-briefs/<id>",
        Access::Coordinating,
        Param::NationalBrief,
    ),
    (
        "POST",
        "/api/v1/national-briefs/<id>/adoption",
        Access::InstitutionDesk,
        Param::NationalBrief,
    ),
    (
        "POST",
        "/api/v1/national-briefs/<id>/decline",
        Access::InstitutionDesk,
        Param::NationalBrief,
    ),
];

const ROLES: [&str; 5] = [
    "ambassador",
    "coordinator",
    "leadership",
    "national",
    "admin",
];

fn allowed(access: Access, role: Option<&str>) -> bool {
    match (access, role) {
        (Access::Public, _) => true,
        (_, None) => false,
        (Access::SignedIn, Some(_)) => true,
        (Access::Staff, Some(r)) => r != "ambassador",
        (Access::Coordinator, Some(r)) => r == "coordinator" || r == "admin",
        (Access::Ambassador, Some(r)) => r == "ambassador",
        (Access::Admin, Some(r)) => r == "admin",
        (Access::Reporter, Some(r)) => r == "ambassador" || r == "coordinator",
        (Access::Coordinating, Some(r)) => matches!(r, "coordinator" | "national" | "admin"),
        (Access::National, Some(r)) => r == "national",
        (Access::InstitutionDesk, Some(r)) => r == "coordinator",
        (Access::Mentoring, Some(r)) => matches!(r, "ambassador" | "coordinator" | "admin"),
    }
}

/// `<leave_id>` as a fresh leave of the fixture's candidate, one per call (a call may
/// cancel it), each in a week of its own; `FRESH_IMAGE` likewise as a fresh image of the
/// fixture's brief (a call may delete it).
async fn with_leave(app: &TestApp, path: &str, f: &Fixture) -> String {
    use sea_orm::ActiveModelTrait;
    let candidate = f.candidate;
    if path.contains("FRESH_IMAGE") {
        static N: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let stem = format!("{:032x}", 0xfeed_0000_u64 + n as u64);
        let media = entity::media::ActiveModel {
            owner_id: sea_orm::Set(f.ambassador_user),
            institution_id: sea_orm::Set(Some(f.own_institution)),
            kind: sea_orm::Set("brief".into()),
            stored_name: sea_orm::Set(format!("{stem}.jpg")),
            thumb_name: sea_orm::Set(format!("{stem}.thumb.jpg")),
            content_type: sea_orm::Set("image/jpeg".into()),
            width: sea_orm::Set(10),
            height: sea_orm::Set(10),
            bytes: sea_orm::Set(100),
            sha256: sea_orm::Set(stem.clone()),
            created_at: sea_orm::Set(chrono::Utc::now()),
            phash: sea_orm::Set(None),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .expect("media");
        if path.starts_with("/learn/") {
            let image = entity::lesson_images::ActiveModel {
                lesson_id: sea_orm::Set(f.own_lesson),
                media_id: sea_orm::Set(media.id),
                alt: sea_orm::Set(String::new()),
                position: sea_orm::Set(100 + n as i32),
                created_at: sea_orm::Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&app.db)
            .await
            .expect("lesson image");
            return path.replace("FRESH_IMAGE", &image.id.to_string());
        }
        let image = entity::brief_images::ActiveModel {
            brief_id: sea_orm::Set(f.brief),
            media_id: sea_orm::Set(media.id),
            focal_x: sea_orm::Set(500),
            focal_y: sea_orm::Set(500),
            alt: sea_orm::Set(String::new()),
            variants: sea_orm::Set("{}".into()),
            position: sea_orm::Set(100 + n as i32),
            created_at: sea_orm::Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .expect("image");
        return path.replace("FRESH_IMAGE", &image.id.to_string());
    }
    if !path.contains("LEAVE_ID") {
        return path.to_string();
    }
    static NEXT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let week = chrono::NaiveDate::from_ymd_opt(2030, 1, 7).unwrap() + chrono::Duration::weeks(n);
    let leave = entity::leaves::ActiveModel {
        ambassador_id: sea_orm::Set(candidate),
        from_week: sea_orm::Set(week),
        to_week: sea_orm::Set(week),
        note: sea_orm::Set(String::new()),
        recorded_by: sea_orm::Set(None),
        created_at: sea_orm::Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("leave");
    path.replace("LEAVE_ID", &leave.id.to_string())
}

/// The image of the fixture's brief (set once by the fixture).
static IMAGE_ID: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

fn concrete(route: &str, id: i64) -> String {
    let image = IMAGE_ID.load(std::sync::atomic::Ordering::Relaxed);
    route
        .replace("<id>", &id.to_string())
        .replace("<image_id>", &image.to_string())
        .replace("<variant>", "instagram_square")
        .replace("?<next>", "")
        .replace("?<status>&<ambassador_id>", "")
        .replace("/integrity?<status>", "/integrity")
        .replace(
            "?<action>&<actor>&<target_type>&<target_id>&<from>&<to>&<limit>&<offset>",
            "",
        )
        .replace(
            "?<action>&<actor>&<target_type>&<target_id>&<from>&<to>&<page>",
            "",
        )
        .replace(
            "?<action>&<actor>&<target_type>&<target_id>&<from>&<to>",
            "",
        )
        .replace("/national-briefs?<page>", "/national-briefs")
        .replace("?<referral..>", "")
        .replace("?<mine>&<state>&<page>", "")
        .replace("?<from..>", "")
        .replace("/recruitment?<institution>", "/recruitment")
        .replace("?<institution>", "")
        .replace("?<from>&<to>", "")
        .replace("<code>", "1-000000000000")
        .replace("/certificates?<page>", "/certificates")
        .replace("/certificates?<limit>&<offset>", "/certificates")
        .replace("?<case>", "")
        .replace("?<brief_id>", "")
        .replace("?<status>&<page>", "")
        .replace(
            "?<institution_id>&<work_unit_id>&<weeks>&<limit>&<offset>",
            "",
        )
        .replace("?<work_unit_id>&<weeks>&<page>", "")
        .replace("?<institution_id>&<work_unit_id>&<platform>&<weeks>", "")
        .replace(
            "?<q>&<status>&<work_unit_id>&<verdict>&<invitation>&<attention>&<no_post_weeks>&<sort>&<limit>&<offset>",
            "",
        )
        .replace(
            "?<q>&<status>&<work_unit_id>&<verdict>&<invitation>&<attention>&<no_post_weeks>&<sort>&<page>",
            "",
        )
        .replace(
            "?<q>&<status>&<work_unit_id>&<verdict>&<invitation>&<attention>&<no_post_weeks>&<sort>",
            "",
        )
        .replace("/roster/export/<file>", "/roster/export/roster.csv")
        .replace("<file>", "weeks.csv")
        .replace("<token>", "no-such-link")
        .replace("?<q>&<role>&<status>&<page>", "")
        .replace("?<q>&<role>&<status>&<limit>&<offset>", "")
        .replace("?<weeks>", "")
        .replace("?<status>&<work_unit_id>", "")
        .replace("?<institution_id>", "")
        .replace("?<week>", "")
        .replace("?<template>&<draft>", "")
        .replace("?<state>&<q>&<page>", "")
        .replace("/mine?<page>", "/mine")
        .replace("?<state>&<limit>&<offset>", "")
        .replace("?<state>&<page>", "")
        .replace("?<state>", "")
        .replace("?<archived>", "")
        .replace("?<edit>", "")
        .replace("<leave_id>", "0")
        .replace("?<work_unit_id>", "")
        .replace("<platform>", "x")
        .replace("<path..>", "css/duta.css")
}

struct Fixture {
    lesson_image: i64,
    certificate: i64,
    certificate_code: String,
    own_lesson: i64,
    own_institution: i64,
    spare_unit: i64,
    other_institution: i64,
    victim_user: i64,
    candidate: i64,
    media: i64,
    brief: i64,
    template: i64,
    submission: i64,
    holiday: i64,
    holiday_page: i64,
    flag: i64,
    ambassador_user: i64,
    users: Vec<(&'static str, i64)>,
    /// A hoax case in the own institution's list, and one in the national list.
    hoax_case: i64,
    national_case: i64,
    /// A national brief addressed to the own institution's region only.
    national_brief: i64,
    /// A saved draft of the candidate, and a review of it.
    draft: i64,
    review: i64,
    /// A lesson Duta ships.
    lesson: i64,
}

async fn fixture(app: &TestApp) -> Fixture {
    let own = app
        .institution_of("Kementerian Satu", "ministry", Some("aceh"))
        .await;
    let other = app.institution("Kementerian Dua").await;
    let unit = app.work_unit(own, None, "Biro Humas").await;
    // The ambassador is a real candidate with a screenshot on X.
    let (candidate, ambassador_user) = app.candidate(own, unit, 1).await;
    let token = app.token(ambassador_user).await;
    let png = crate::ambassadors::png(60, 40);
    let upload = app.upload(
        "/api/v1/me/platforms/x/screenshot",
        &token,
        "x.png",
        &png,
        None,
    );
    let (_, view) = crate::support::json(upload.await).await;
    let x = view["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "x")
        .unwrap();
    let media = x["screenshot_id"].as_i64().expect("a screenshot");
    let mut users = vec![("ambassador", ambassador_user)];
    for role in ROLES.iter().skip(1) {
        let inst = matches!(*role, "coordinator" | "leadership").then_some(own);
        users.push((
            *role,
            app.user(role, &format!("{role}@duta.test"), inst, None)
                .await,
        ));
    }
    let victim = app
        .user("coordinator", "victim@duta.test", Some(own), None)
        .await;
    // The ambassador is approved from here on, so briefs reach them.
    crate::support::approve(app, candidate).await;
    let coordinator = users.iter().find(|(r, _)| *r == "coordinator").unwrap().1;
    let coordinator_token = app.token(coordinator).await;
    let template = crate::briefs::template(app, &coordinator_token).await;
    let brief = crate::briefs::published(app, &coordinator_token, &[], &[template]).await;
    let image = app
        .upload(
            &format!("/api/v1/briefs/{brief}/images"),
            &coordinator_token,
            "poster.png",
            &crate::ambassadors::png(400, 300),
            None,
        )
        .await;
    let (status, image) = crate::support::json(image).await;
    assert_eq!(status, Status::Created, "{image}");
    IMAGE_ID.store(
        image["id"].as_i64().unwrap(),
        std::sync::atomic::Ordering::Relaxed,
    );
    // A pending submission of the ambassador, and a holiday.
    let (status, submission) = crate::support::json(
        app.send_api(
            "POST",
            "/api/v1/submissions",
            Some(&token),
            &json!({"brief_id": brief, "platform": "instagram",
                    "url": "https://www.instagram.com/p/CmatrixP0st/",
                    "posted_at": (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{submission}");
    let admin = users.iter().find(|(r, _)| *r == "admin").unwrap().1;
    let (status, holiday) = crate::support::json(
        app.send_api(
            "POST",
            "/api/v1/holidays",
            Some(&app.token(admin).await),
            &json!({"week": "2026-W52", "label": "Natal"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{holiday}");
    let (status, holiday_page) = crate::support::json(
        app.send_api(
            "POST",
            "/api/v1/holidays",
            Some(&app.token(admin).await),
            &json!({"week": "2027-W01", "label": "Tahun baru"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{holiday_page}");
    let flag = entity::integrity_flags::ActiveModel {
        ambassador_id: sea_orm::Set(Some(candidate)),
        brief_id: sea_orm::Set(None),
        institution_id: sea_orm::Set(own),
        kind: sea_orm::Set("follower_jump".into()),
        detail: sea_orm::Set(
            json!({"platform": "x", "from": 100, "to": 900, "percent": 800, "threshold": 50})
                .to_string(),
        ),
        dedup_key: sea_orm::Set("matrix".into()),
        raised_at: sea_orm::Set(chrono::Utc::now()),
        ..Default::default()
    };
    let flag = sea_orm::ActiveModelTrait::insert(flag, &app.db)
        .await
        .unwrap();
    let spare_unit = app.work_unit(own, None, "Bagian Cadangan").await;
    let (status, reported) = crate::hoaxes::report(
        app,
        &token,
        &[("links", "https://hoaks-matriks.id/a"), ("platform", "x")],
        None,
    )
    .await;
    assert_eq!(status, Status::Created, "{reported}");
    let national_case = entity::hoax_cases::ActiveModel {
        origin_institution_id: sea_orm::Set(own),
        owner_institution_id: sea_orm::Set(None),
        state: sea_orm::Set("new".into()),
        summary: sea_orm::Set("Kasus nasional".into()),
        report_count: sea_orm::Set(0),
        first_reported_at: sea_orm::Set(chrono::Utc::now()),
        last_reported_at: sea_orm::Set(chrono::Utc::now()),
        updated_at: sea_orm::Set(chrono::Utc::now()),
        ..Default::default()
    };
    let national_case = sea_orm::ActiveModelTrait::insert(national_case, &app.db)
        .await
        .unwrap();
    let national = users.iter().find(|(r, _)| *r == "national").unwrap().1;
    let (status, national_brief) = crate::support::json(
        app.send_api(
            "POST",
            "/api/v1/national-briefs",
            Some(&app.token(national).await),
            &json!({
                "title": "Narasi nasional", "category": "sosialisasi",
                "key_messages": "Satu narasi.", "platforms": ["x"], "regions": ["aceh"],
                "deadline": (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339(),
            }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{national_brief}");
    // A saved draft of the candidate's, and a review of it (written as the service would:
    // the candidate is not approved, so could not ask for one).
    let (draft, review) = {
        use sea_orm::ActiveModelTrait;
        let now = chrono::Utc::now();
        let draft = entity::drafts::ActiveModel {
            user_id: sea_orm::Set(ambassador_user),
            brief_id: sea_orm::Set(Some(brief)),
            template_id: sea_orm::Set(None),
            platform: sea_orm::Set("x".into()),
            fields: sea_orm::Set("{}".into()),
            text: sea_orm::Set("Draf untuk direview.".into()),
            created_at: sea_orm::Set(now),
            updated_at: sea_orm::Set(now),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let review = entity::draft_reviews::ActiveModel {
            draft_id: sea_orm::Set(draft.id),
            ambassador_id: sea_orm::Set(candidate),
            institution_id: sea_orm::Set(own),
            brief_id: sea_orm::Set(Some(brief)),
            platform: sea_orm::Set("x".into()),
            state: sea_orm::Set("waiting".into()),
            requested_at: sea_orm::Set(now),
            updated_at: sea_orm::Set(now),
            accepted_at: sea_orm::Set(None),
            accepted_by: sea_orm::Set(None),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        entity::draft_versions::ActiveModel {
            review_id: sea_orm::Set(review.id),
            number: sea_orm::Set(1),
            text: sea_orm::Set(draft.text.clone()),
            created_at: sea_orm::Set(now),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        (draft.id, review.id)
    };
    let lesson = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::lessons::Entity::find()
            .filter(entity::lessons::Column::Slug.eq("menangkal-hoaks"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("a shipped lesson")
            .id
    };
    let own_lesson = {
        use sea_orm::ActiveModelTrait;
        let now = chrono::Utc::now();
        entity::lessons::ActiveModel {
            institution_id: sea_orm::Set(Some(own)),
            slug: sea_orm::Set(None),
            topic: sea_orm::Set("storytelling".into()),
            title: sea_orm::Set("Pelajaran instansi".into()),
            summary: sea_orm::Set(String::new()),
            body: sea_orm::Set("Isi pelajaran.".into()),
            video_url: sea_orm::Set(None),
            questions: sea_orm::Set(
                r#"[{"question":"Benar?","options":["Ya","Tidak"],"answer":0,"explanation":""}]"#
                    .into(),
            ),
            version: sea_orm::Set(1),
            archived_at: sea_orm::Set(None),
            created_at: sea_orm::Set(now),
            updated_at: sea_orm::Set(now),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap()
        .id
    };
    let certificate = {
        use sea_orm::ActiveModelTrait;
        let today = chrono::Utc::now().date_naive();
        entity::certificates::ActiveModel {
            ambassador_id: sea_orm::Set(candidate),
            institution_id: sea_orm::Set(own),
            period_from: sea_orm::Set(today - chrono::Duration::days(30)),
            period_to: sea_orm::Set(today),
            active_weeks: sea_orm::Set(3),
            verified_posts: sea_orm::Set(4),
            lessons_completed: sea_orm::Set(1),
            issued_by: sea_orm::Set(None),
            issued_at: sea_orm::Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap()
        .id
    };
    // An image of the own lesson, uploaded as its coordinator does.
    let resp = app
        .page_multipart(
            &format!("/learn/{own_lesson}/images"),
            Some(&coordinator_token),
            &[("alt", "Contoh")],
            &[("file", "contoh.png", &crate::ambassadors::png(300, 200))],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let lesson_image = {
        use sea_orm::{EntityTrait, QueryOrder};
        entity::lesson_images::Entity::find()
            .order_by_desc(entity::lesson_images::Column::Id)
            .one(&app.db)
            .await
            .unwrap()
            .expect("the lesson image")
            .id
    };
    Fixture {
        lesson_image,
        certificate,
        certificate_code: app.nip_key().link_code("certificate", certificate),
        own_lesson,
        lesson,
        draft,
        review,
        national_brief: national_brief["id"].as_i64().unwrap(),
        hoax_case: reported["case_id"].as_i64().unwrap(),
        national_case: national_case.id,
        own_institution: own,
        spare_unit,
        other_institution: other,
        victim_user: victim,
        candidate,
        media,
        brief,
        template,
        submission: submission["id"].as_i64().unwrap(),
        holiday: holiday["id"].as_i64().unwrap(),
        holiday_page: holiday_page["id"].as_i64().unwrap(),
        flag: flag.id,
        ambassador_user,
        users,
    }
}

async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>) -> Status {
    let is_api = path.starts_with("/api/");
    if (path.ends_with("/images") || path.ends_with("/file")) && !is_api {
        let file: &[u8] = b"not an image";
        return app
            .page_multipart(path, token, &[], &[("file", "not.png", file)])
            .await
            .status();
    }
    if path.ends_with("/images") || path.ends_with("/file") {
        return match token {
            Some(t) => app
                .upload(path, t, "not.png", b"not an image", None)
                .await
                .status(),
            None => app.client.post(path.to_string()).dispatch().await.status(),
        };
    }
    if path.ends_with("/submissions") && path.starts_with("/briefs/") {
        return app
            .page_multipart(path, token, &[("url", "javascript:alert(1)")], &[])
            .await
            .status();
    }
    if path.ends_with("/screenshot") && !is_api {
        let file: &[u8] = b"not an image";
        return app
            .page_multipart(path, token, &[("count", "")], &[("file", "not.png", file)])
            .await
            .status();
    }
    if path.ends_with("/screenshot") {
        // A multipart upload of a file that is not an image: 422 for the owner.
        return match token {
            Some(t) => app
                .upload(path, t, "not.png", b"not an image", None)
                .await
                .status(),
            None => app.client.post(path.to_string()).dispatch().await.status(),
        };
    }
    let mut req = match method {
        "GET" => app.client.get(path.to_string()),
        "POST" => app.client.post(path.to_string()),
        "PUT" => app.client.put(path.to_string()),
        "DELETE" => app.client.delete(path.to_string()),
        other => panic!("method {other} not handled by the matrix"),
    };
    if is_api {
        req = req.header(ContentType::JSON).body(json!({}).to_string());
        if let Some(t) = token {
            req = req.header(Header::new("Authorization", format!("Bearer {t}")));
        }
    } else {
        if method != "GET" {
            req = req
                .header(ContentType::Form)
                .body(format!("csrf_token={CSRF}"));
        }
        req = req.cookie(Cookie::new("duta_csrf", CSRF));
        if let Some(t) = token {
            req = req.cookie(Cookie::new("duta_session", t.to_string()));
        }
    }
    let resp = req.dispatch().await;
    assert_security_headers(&resp, method, path, false);
    resp.status()
}

/// The headers every response must carry, whatever its status; HSTS only over HTTPS.
fn assert_security_headers(
    resp: &rocket::local::asynchronous::LocalResponse<'_>,
    method: &str,
    path: &str,
    https: bool,
) {
    let h = resp.headers();
    let csp = h.get_one("Content-Security-Policy").unwrap_or_default();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline"),
        "{method} {path}: CSP {csp:?}"
    );
    assert_eq!(
        h.get_one("X-Content-Type-Options"),
        Some("nosniff"),
        "{method} {path}"
    );
    assert_eq!(
        h.get_one("X-Frame-Options"),
        Some("DENY"),
        "{method} {path}"
    );
    assert_eq!(
        h.get_one("Referrer-Policy"),
        Some("same-origin"),
        "{method} {path}"
    );
    assert_eq!(
        h.get_one("Strict-Transport-Security"),
        https.then_some(duta::http::headers::HSTS),
        "{method} {path}"
    );
}

/// Over HTTPS (`secure_cookies`), every route answers with Strict-Transport-Security too,
/// signed in or not.
#[rocket::async_test]
async fn every_route_sends_the_security_headers_and_hsts_over_https() {
    let app = TestApp::spawn_with(&[("secure_cookies", json!(true))]).await;
    let admin = app.user("admin", "admin@https.test", None, None).await;
    let token = app.token(admin).await;
    for &(method, route, _, _) in MATRIX {
        let path = concrete(route, 1);
        for token in [None, Some(token.as_str())] {
            let mut req = match method {
                "GET" => app.client.get(path.clone()),
                "POST" => app.client.post(path.clone()),
                "PUT" => app.client.put(path.clone()),
                _ => app.client.delete(path.clone()),
            };
            if let Some(t) = token {
                req = if path.starts_with("/api/") {
                    req.header(Header::new("Authorization", format!("Bearer {t}")))
                } else {
                    req.cookie(Cookie::new("duta_session", t.to_string()))
                };
            }
            let resp = req.dispatch().await;
            assert_security_headers(&resp, method, &path, true);
        }
    }
}

#[rocket::async_test]
async fn every_route_is_classified_and_guarded() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let mounted: Vec<(String, String)> = app
        .client
        .rocket()
        .routes()
        .map(|r| (r.method.as_str().to_string(), r.uri.as_str().to_string()))
        .collect();
    let unclassified: Vec<_> = mounted
        .iter()
        .filter(|(m, u)| !MATRIX.iter().any(|(mm, uu, _, _)| mm == m && uu == u))
        .collect();
    assert!(
        unclassified.is_empty(),
        "routes missing from the role matrix: {unclassified:?}"
    );
    let stale: Vec<_> = MATRIX
        .iter()
        .filter(|(m, u, _, _)| !mounted.iter().any(|(mm, uu)| mm == m && uu == u))
        .collect();
    assert!(
        stale.is_empty(),
        "matrix rows for routes that no longer exist: {stale:?}"
    );

    let mut failures = Vec::new();
    let mut outsiders = 0;
    for &(method, route, access, param) in MATRIX {
        let id = match param {
            Param::Institution | Param::PublicInstitution => f.own_institution,
            Param::User => f.victim_user,
            Param::Candidate => f.candidate,
            Param::Media => f.media,
            Param::Brief => f.brief,
            Param::Template => f.template,
            Param::Submission => f.submission,
            Param::Holiday => f.holiday,
            Param::Flag => f.flag,
            Param::HolidayPage => f.holiday_page,
            Param::AmbassadorUser => f.ambassador_user,
            Param::WorkUnit => f.spare_unit,
            Param::HoaxCase => f.hoax_case,
            Param::NationalBrief => f.national_brief,
            Param::Draft => f.draft,
            Param::Review => f.review,
            Param::Lesson => f.lesson,
            Param::OwnLesson => f.own_lesson,
            Param::Certificate => f.certificate,
            Param::None | Param::Platform => 0,
        };
        // A leave of the candidate is made fresh for each call (see `with_leave`).
        // An image a call deletes is made fresh for each call too.
        let route_marked = if route.ends_with("/images/<image_id>/delete")
            || (method == "DELETE" && route.ends_with("/images/<image_id>"))
        {
            route.replace("<image_id>", "FRESH_IMAGE")
        } else {
            route.replace("<leave_id>", "LEAVE_ID")
        };
        let route_marked = if route.starts_with("/learn/") {
            route_marked.replace("<image_id>", &f.lesson_image.to_string())
        } else {
            route_marked
        };
        let path = concrete(&route_marked.replace("<code>", &f.certificate_code), id);
        let is_api = path.starts_with("/api/");
        // Anonymous.
        let status = call(&app, method, &with_leave(&app, &path, &f).await, None).await;
        let ok = if (route.ends_with("login") || route == "/login/code") && method == "POST" {
            status.code < 500 && status != Status::Forbidden
        } else if allowed(access, None) {
            status.code < 500 && status != Status::Unauthorized && status != Status::Forbidden
        } else if is_api {
            status == Status::Unauthorized
        } else if method == "GET" {
            status == Status::SeeOther
        } else {
            status == Status::Unauthorized
        };
        if !ok {
            failures.push(format!("anonymous {method} {path}: {status}"));
        }
        // Each role, in scope. A fresh token each time: logout rotates the stamp.
        for &(role, user_id) in &f.users {
            let token = app.token(user_id).await;
            // National users triage the national list: their case is one of it.
            let path = if param == Param::HoaxCase && role == "national" {
                concrete(route, f.national_case)
            } else {
                path.clone()
            };
            let status = call(
                &app,
                method,
                &with_leave(&app, &path, &f).await,
                Some(&token),
            )
            .await;
            let ok = if (route.ends_with("login") || route == "/login/code") && method == "POST" {
                // Sign-in with an empty body: 401 (wrong credentials) or 429 (throttled).
                status.code < 500 && status != Status::Forbidden
            } else if route.contains("<token>")
                || route == "/api/v1/auth/password/reset"
                || route == "/api/v1/auth/email/confirm"
                || route == "/api/v1/auth/invitation/accept"
            {
                // A reset link's token, not an object of anyone's scope: one Duta never
                // made is 404 for everyone.
                status.code < 500 && status != Status::Unauthorized && status != Status::Forbidden
            } else if allowed(access, Some(role)) {
                status.code < 500
                    && status != Status::Unauthorized
                    && status != Status::Forbidden
                    && status != Status::NotFound
            } else {
                status == Status::Forbidden
            };
            if !ok {
                failures.push(format!("{role} {method} {path}: {status}"));
            }
        }
        // The right role, out of scope: another institution's object answers 404.
        if matches!(
            param,
            Param::Institution
                | Param::Candidate
                | Param::Media
                | Param::Brief
                | Param::Template
                | Param::Submission
                | Param::Flag
                | Param::HoaxCase
                | Param::NationalBrief
                | Param::Draft
                | Param::Review
                | Param::OwnLesson
                | Param::Certificate
        ) {
            let other = match param {
                Param::Institution => concrete(route, f.other_institution),
                _ => concrete(route, -1),
            };
            for &(role, user_id) in &f.users {
                if !allowed(access, Some(role)) || matches!(role, "admin" | "national") {
                    continue;
                }
                // Candidates and images of the own institution, seen by a coordinator or
                // leader of another institution.
                let (token, path) = if param == Param::Institution {
                    (app.token(user_id).await, other.clone())
                } else {
                    outsiders += 1;
                    let email = format!("{role}-outsider-{outsiders}@duta.test");
                    let outsider = app
                        .user(role, &email, Some(f.other_institution), None)
                        .await;
                    (app.token(outsider).await, with_leave(&app, &path, &f).await)
                };
                let status = call(&app, method, &path, Some(&token)).await;
                if status != Status::NotFound {
                    failures.push(format!("{role} out of scope {method} {path}: {status}"));
                }
            }
        }
        // A missing object is 404 for the admin too.
        if matches!(
            param,
            Param::Institution
                | Param::PublicInstitution
                | Param::User
                | Param::Candidate
                | Param::Media
                | Param::Brief
                | Param::Template
                | Param::Submission
                | Param::Holiday
                | Param::HolidayPage
                | Param::Flag
                | Param::AmbassadorUser
                | Param::WorkUnit
                | Param::Review
                | Param::Lesson
                | Param::OwnLesson
                | Param::Certificate
        ) && allowed(access, Some("admin"))
        {
            let admin = f
                .users
                .iter()
                .find(|(r, _)| *r == "admin")
                .map(|(_, id)| *id)
                .unwrap_or_default();
            let token = app.token(admin).await;
            let status = call(&app, method, &concrete(route, 999_999), Some(&token)).await;
            if status != Status::NotFound {
                failures.push(format!("admin missing-id {method} {route}: {status}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "role matrix failures:\n{}",
        failures.join("\n")
    );
}

/// (what is wrong, form fields, CSRF cookie, extra headers)
type ForgedPost<'a> = (
    &'a str,
    Vec<(String, String)>,
    Option<&'a str>,
    Vec<(&'a str, &'a str)>,
);

#[rocket::async_test]
async fn every_page_form_refuses_a_post_without_a_valid_csrf_token() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let admin = f
        .users
        .iter()
        .find(|(r, _)| *r == "admin")
        .map(|(_, id)| *id)
        .unwrap();
    let token = app.token(admin).await;
    let before = app.count("audit_log").await;
    for &(method, route, _, param) in MATRIX {
        if method != "POST" || route.starts_with("/api/") {
            continue;
        }
        let id = if param == Param::User {
            f.victim_user
        } else {
            f.own_institution
        };
        let path = concrete(route, id);
        let fields = vec![
            ("name".to_string(), "Forged".to_string()),
            ("lang".to_string(), "en".to_string()),
        ];
        let cases: Vec<ForgedPost> = vec![
            ("no token", fields.clone(), Some(CSRF), vec![]),
            (
                "wrong token",
                [fields.clone(), vec![("csrf_token".into(), "x".repeat(43))]].concat(),
                Some(CSRF),
                vec![],
            ),
            (
                "no cookie",
                [fields.clone(), vec![("csrf_token".into(), CSRF.into())]].concat(),
                None,
                vec![],
            ),
            (
                "cross-site",
                [fields.clone(), vec![("csrf_token".into(), CSRF.into())]].concat(),
                Some(CSRF),
                vec![("Sec-Fetch-Site", "cross-site")],
            ),
            (
                "foreign origin",
                [fields.clone(), vec![("csrf_token".into(), CSRF.into())]].concat(),
                Some(CSRF),
                vec![("Origin", "https://evil.example"), ("Host", "duta.example")],
            ),
        ];
        for (name, body, cookie, headers) in cases {
            let status = app
                .raw_form(&path, Some(&token), &body, cookie, &headers)
                .await
                .status();
            assert_eq!(status, Status::Forbidden, "{name}: POST {path}");
        }
    }
    assert_eq!(
        app.count("audit_log").await,
        before,
        "a refused form changed nothing"
    );
    assert_eq!(
        app.get_api("/api/v1/me", Some(&token)).await.status(),
        Status::Ok,
        "the forged logout did nothing"
    );
}
