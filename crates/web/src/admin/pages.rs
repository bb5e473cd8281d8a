//! Administration: accounts and their roles, and the org-unit tree. Admins only (the audit log is
//! `audit.rs`).

use crate::AppState;
use crate::access::Admin;
use crate::accounts::service::{self as accounts, AccountInput, conflict_field, parse_unit};
use crate::auth::{csrf::CsrfForm, password};
use crate::http::error::AppResult;
use crate::http::view::{Ctx, FormErrors, html, rejected};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hamafza_core::account::User;
use hamafza_core::account::{
    FieldError, NewAccount, parse_display_name, parse_mobile, parse_national_id,
};
use hamafza_core::ids::{OrgUnitId, UserId};
use hamafza_core::org::OrgUnit;
use hamafza_core::{OrgUnitKind, Role};
use hamafza_store::org_units::NewOrgUnit;
use hamafza_store::users::{UserQuery, UserUpdate};
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin",
            get(|_: Admin| async { Redirect::to("/admin/users") }),
        )
        .route("/admin/users", get(users))
        .route("/admin/users/new", get(new_user_page).post(create_user))
        .route("/admin/users/{id}", get(edit_user_page).post(update_user))
        .route("/admin/units", get(units).post(create_unit))
}

const PAGE_SIZE: i64 = 50;

/// A unit's name in the page's language.
fn unit_name<'a>(ctx: &Ctx, u: &'a OrgUnit) -> &'a str {
    if ctx.is_fa() { &u.name_fa } else { &u.name_en }
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    ctx: Ctx,
    users: Vec<User>,
    units: Vec<OrgUnit>,
    total: i64,
    q: UsersQuery,
    page: i64,
    pages: i64,
}

impl UsersPage {
    fn unit_label(&self, id: &Option<OrgUnitId>) -> String {
        id.and_then(|id| self.units.iter().find(|u| u.id == id))
            .map(|u| unit_name(&self.ctx, u).to_string())
            .unwrap_or_else(|| "—".into())
    }

    /// The query string for page `p` with the current filters.
    fn page_href(&self, p: i64) -> String {
        let q = serde_urlencoded::to_string([
            ("search", self.q.search.as_str()),
            ("role", self.q.role.as_str()),
            ("unit", self.q.unit.as_str()),
            ("page", &p.to_string()),
        ])
        .unwrap_or_default();
        format!("/admin/users?{q}")
    }
}

#[derive(Deserialize, Default, Clone)]
struct UsersQuery {
    #[serde(default)]
    search: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    page: String,
}

async fn users(
    _: Admin,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UsersQuery>,
) -> AppResult<Response> {
    let page = hamafza_persian::digits::to_latin(&q.page)
        .parse::<i64>()
        .unwrap_or(1)
        .max(1);
    let search = hamafza_persian::digits::to_latin(q.search.trim());
    let query = UserQuery {
        search: (!search.is_empty()).then(|| hamafza_core::account::fix_letters(&search)),
        role: Role::parse(&q.role),
        org_unit_id: q.unit.parse().ok(),
        offset: (page - 1).saturating_mul(PAGE_SIZE),
        limit: PAGE_SIZE,
    };
    let (users, total) = state.store.users(&query).await?;
    html(UsersPage {
        units: state.store.org_units().await?,
        users,
        total,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        page,
        q,
        ctx,
    })
}

/// The account form, for a new account or an existing one.
#[derive(Template)]
#[template(path = "admin/user_form.html")]
struct UserFormPage {
    ctx: Ctx,
    /// `None` for a new account.
    user: Option<User>,
    form: UserForm,
    units: Vec<OrgUnit>,
    errors: FormErrors,
    notice: Option<&'static str>,
}

impl UserFormPage {
    fn has_role(&self, r: &Role) -> bool {
        self.form.roles.iter().any(|x| x == r.as_str())
    }

    fn unit_label(&self, u: &OrgUnit) -> String {
        let indent = match u.kind {
            OrgUnitKind::Hq => "",
            OrgUnitKind::Deputy | OrgUnitKind::Province => "— ",
            OrgUnitKind::Branch => "— — ",
        };
        format!("{indent}{}", unit_name(&self.ctx, u))
    }

    fn all_roles(&self) -> [Role; 6] {
        Role::ALL
    }
}

/// What the form sends: every field as typed, so a rejected form shows it again unchanged.
#[derive(Default, Clone)]
struct UserForm {
    username: String,
    display_name: String,
    password: String,
    national_id: String,
    mobile: String,
    org_unit_id: String,
    roles: Vec<String>,
    disabled: bool,
}

type RawForm = HashMap<String, String>;

impl UserForm {
    /// Reads the submitted fields; roles arrive as checkboxes named `role_<name>`.
    fn from_raw(raw: &RawForm) -> UserForm {
        let field = |name: &str| raw.get(name).cloned().unwrap_or_default();
        UserForm {
            username: field("username"),
            display_name: field("display_name"),
            password: field("password"),
            national_id: field("national_id"),
            mobile: field("mobile"),
            org_unit_id: field("org_unit_id"),
            roles: Role::ALL
                .iter()
                .filter(|r| raw.contains_key(&format!("role_{}", r.as_str())))
                .map(|r| r.as_str().to_string())
                .collect(),
            disabled: raw.contains_key("disabled"),
        }
    }
}

fn parse_roles(names: &[String]) -> Vec<Role> {
    names.iter().filter_map(|n| Role::parse(n)).collect()
}

async fn new_user_page(_: Admin, State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = UserForm {
        roles: vec![Role::Participant.as_str().into()],
        ..Default::default()
    };
    html(UserFormPage {
        units: state.store.org_units().await?,
        ctx,
        user: None,
        form,
        errors: FormErrors::default(),
        notice: None,
    })
}

async fn create_user(
    admin: Admin,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<RawForm>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let form = UserForm::from_raw(&raw);
    let input = AccountInput {
        account: NewAccount {
            username: form.username.clone(),
            display_name: form.display_name.clone(),
            password: form.password.clone(),
            national_id: form.national_id.clone(),
            mobile: form.mobile.clone(),
        },
        org_unit: form.org_unit_id.clone(),
        roles: form.roles.clone(),
    };
    match accounts::create(&state, &input, admin.id).await? {
        Ok(u) => Ok(Redirect::to(&format!("/admin/users/{}?created=1", u.id)).into_response()),
        Err(errors) => {
            let mut form = form;
            form.password.clear();
            let units = state.store.org_units().await?;
            let errors = FormErrors::new(lang, &errors);
            rejected(UserFormPage {
                ctx,
                user: None,
                form,
                units,
                errors,
                notice: None,
            })
        }
    }
}

#[derive(Deserialize)]
struct Created {
    created: Option<String>,
    saved: Option<String>,
}

async fn edit_user_page(
    _: Admin,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<UserId>,
    Query(flags): Query<Created>,
) -> AppResult<Response> {
    let user = state.store.user(id).await?;
    let form = UserForm {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        password: String::new(),
        national_id: user.national_id.clone().unwrap_or_default(),
        mobile: user.mobile.clone().unwrap_or_default(),
        org_unit_id: user.org_unit_id.map(|i| i.to_string()).unwrap_or_default(),
        roles: user.roles.iter().map(|r| r.as_str().to_string()).collect(),
        disabled: user.disabled,
    };
    let notice = if flags.created.is_some() {
        Some("admin.user_created")
    } else if flags.saved.is_some() {
        Some("admin.user_saved")
    } else {
        None
    };
    html(UserFormPage {
        units: state.store.org_units().await?,
        ctx,
        user: Some(user),
        form,
        errors: FormErrors::default(),
        notice,
    })
}

async fn update_user(
    admin: Admin,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<UserId>,
    CsrfForm(raw): CsrfForm<RawForm>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let user = state.store.user(id).await?;
    let mut form = UserForm::from_raw(&raw);
    form.username = user.username.clone();
    let mut errors = Vec::new();
    let display_name = parse_display_name(&form.display_name)
        .map_err(|e| errors.push(("display_name", e)))
        .unwrap_or_default();
    let national_id = parse_national_id(&form.national_id)
        .map_err(|e| errors.push(("national_id", e)))
        .unwrap_or_default();
    let mobile = parse_mobile(&form.mobile)
        .map_err(|e| errors.push(("mobile", e)))
        .unwrap_or_default();
    let unit = parse_unit(&state, &form.org_unit_id)
        .await?
        .map_err(|e| errors.push(("org_unit_id", e)))
        .unwrap_or_default();
    let roles = parse_roles(&form.roles);
    let disabled = form.disabled;
    // An admin cannot lock themselves out.
    if id == admin.id && (disabled || !roles.contains(&Role::Admin)) {
        errors.push(("roles", FieldError::Unknown));
    }
    if !form.password.is_empty()
        && let Err(e) = hamafza_core::account::check_password(&form.password, &user.username)
    {
        errors.push(("password", e));
    }
    let units = state.store.org_units().await?;
    if !errors.is_empty() {
        form.password.clear();
        let mut fe = FormErrors::new(lang, &errors);
        if errors.iter().any(|(f, _)| *f == "roles") {
            fe = FormErrors::general(lang.t("admin.no_self_lockout").to_string());
        }
        return rejected(UserFormPage {
            ctx,
            user: Some(user),
            form,
            units,
            errors: fe,
            notice: None,
        });
    }
    let update = UserUpdate {
        display_name,
        national_id,
        mobile,
        org_unit_id: unit,
        roles,
        disabled,
    };
    if let Err(e) = state.store.update_user(id, &update, Some(admin.id)).await {
        return match conflict_field(&e) {
            Some(field) => {
                form.password.clear();
                let errors = FormErrors::new(lang, &[(field, FieldError::Taken)]);
                rejected(UserFormPage {
                    ctx,
                    user: Some(user),
                    form,
                    units,
                    errors,
                    notice: None,
                })
            }
            None => Err(e.into()),
        };
    }
    if !form.password.is_empty() {
        let hash = password::hash(&form.password).await?;
        state
            .store
            .set_password(id, &hash, None, Some(admin.id))
            .await?;
    }
    Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response())
}

#[derive(Template)]
#[template(path = "admin/units.html")]
struct UnitsPage {
    ctx: Ctx,
    units: Vec<OrgUnit>,
    members: Vec<(OrgUnitId, i64)>,
    form: UnitForm,
    errors: FormErrors,
}

impl UnitsPage {
    fn children(&self, parent: &OrgUnitId) -> Vec<&OrgUnit> {
        self.units
            .iter()
            .filter(|u| u.parent_id == Some(*parent))
            .collect()
    }

    fn roots(&self) -> Vec<&OrgUnit> {
        self.units
            .iter()
            .filter(|u| u.parent_id.is_none())
            .collect()
    }

    fn members_of(&self, id: &OrgUnitId) -> i64 {
        self.members
            .iter()
            .find(|(u, _)| u == id)
            .map_or(0, |(_, n)| *n)
    }

    fn name<'a>(&self, u: &'a OrgUnit) -> &'a str {
        unit_name(&self.ctx, u)
    }

    /// Units that can be a parent (all but branches).
    fn parents(&self) -> Vec<&OrgUnit> {
        self.units
            .iter()
            .filter(|u| u.kind != OrgUnitKind::Branch)
            .collect()
    }

    fn kinds(&self) -> [OrgUnitKind; 4] {
        OrgUnitKind::ALL
    }
}

#[derive(Deserialize, Default, Clone)]
struct UnitForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_fa: String,
    #[serde(default)]
    name_en: String,
}

async fn units(_: Admin, State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    html(UnitsPage {
        units: state.store.org_units().await?,
        members: state.store.org_unit_member_counts().await?,
        form: UnitForm {
            kind: "branch".into(),
            ..Default::default()
        },
        errors: FormErrors::default(),
        ctx,
    })
}

async fn create_unit(
    admin: Admin,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<UnitForm>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let mut errors = Vec::new();
    let kind = OrgUnitKind::parse(&f.kind);
    if kind.is_none() {
        errors.push(("kind", FieldError::Unknown));
    }
    let parent = match parse_unit(&state, &f.parent_id).await? {
        Ok(Some(id)) => Some(state.store.org_unit(id).await?),
        Ok(None) => None,
        Err(e) => {
            errors.push(("parent_id", e));
            None
        }
    };
    if let Some(k) = kind
        && !hamafza_core::org::may_attach(k, parent.as_ref().map(|p| p.kind))
        && !errors.iter().any(|(f, _)| *f == "parent_id")
    {
        errors.push(("parent_id", FieldError::Unknown));
    }
    let code = f.code.trim().to_lowercase();
    if code.is_empty() {
        errors.push(("code", FieldError::Required));
    } else if !hamafza_core::org::is_valid_code(&code) {
        errors.push(("code", FieldError::UsernameChars));
    }
    let name_fa = parse_display_name(&f.name_fa)
        .map_err(|e| errors.push(("name_fa", e)))
        .unwrap_or_default();
    let name_en = parse_display_name(&f.name_en)
        .map_err(|e| errors.push(("name_en", e)))
        .unwrap_or_default();
    let units = state.store.org_units().await?;
    let members = state.store.org_unit_member_counts().await?;
    let again = |ctx: Ctx, errors: FormErrors| {
        rejected(UnitsPage {
            ctx,
            units: units.clone(),
            members: members.clone(),
            form: f.clone(),
            errors,
        })
    };
    if !errors.is_empty() {
        let mut fe = FormErrors::new(lang, &errors);
        if errors
            .iter()
            .any(|(f, e)| *f == "parent_id" && *e == FieldError::Unknown)
        {
            fe.push("parent_id", lang.t("admin.unit_parent_rule").to_string());
        }
        return again(ctx, fe);
    }
    let new = NewOrgUnit {
        parent_id: parent.as_ref().map(|p| p.id),
        kind: kind.unwrap_or(OrgUnitKind::Branch),
        code,
        name_fa,
        name_en,
        province_code: parent.and_then(|p| p.province_code),
    };
    match state.store.create_org_unit(&new, Some(admin.id)).await {
        Ok(_) => Ok(Redirect::to("/admin/units").into_response()),
        Err(e) if e.is_conflict_on("code") => {
            again(ctx, FormErrors::new(lang, &[("code", FieldError::Taken)]))
        }
        Err(e) => Err(e.into()),
    }
}
