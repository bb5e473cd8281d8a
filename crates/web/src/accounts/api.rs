//! Users, org units and provinces.

use super::dto::{NewUserIn, OrgUnitOut, ProvinceOut, UserOut, UserPage};
use crate::AppState;
use crate::access::{Admin, Public, SignedIn};
use crate::accounts::service::{self as accounts, AccountInput};
use crate::http::error::{AppError, AppResult, Problem};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::account::{FieldError, NewAccount};
use hamafza_core::ids::{OrgUnitId, UserId};
use hamafza_store::users::UserQuery;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user))
        .routes(routes!(org_units))
        .routes(routes!(provinces))
}

/// The caller's own account.
#[utoipa::path(get, path = "/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(caller: SignedIn) -> Json<UserOut> {
    Json(caller.into_user().into())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersParams {
    /// Part of a username, display name or mobile number.
    pub search: Option<String>,
    pub role: Option<String>,
    pub org_unit_id: Option<OrgUnitId>,
    #[serde(default)]
    pub offset: i64,
    /// At most 500; 50 by default.
    pub limit: Option<i64>,
}

/// List accounts (admins only).
#[utoipa::path(get, path = "/users", tag = "accounts", security(("bearer" = [])), params(UsersParams),
    responses((status = 200, body = UserPage), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_users(
    _: Admin,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<UsersParams>,
) -> AppResult<Json<UserPage>> {
    let role = match p.role.as_deref() {
        Some(r) => {
            Some(Role::parse(r).ok_or(AppError::Validation(vec![("role", FieldError::Unknown)]))?)
        }
        None => None,
    };
    let q = UserQuery {
        search: p.search.map(|s| hamafza_persian::digits::to_latin(&s)),
        role,
        org_unit_id: p.org_unit_id,
        offset: p.offset,
        limit: p.limit.unwrap_or(50),
    };
    let (users, total) = state.store.users(&q).await?;
    Ok(Json(UserPage {
        items: users.into_iter().map(Into::into).collect(),
        total,
    }))
}

/// Create an account (admins only). Every invalid field is reported at once.
#[utoipa::path(post, path = "/users", tag = "accounts", security(("bearer" = [])), request_body = NewUserIn,
    responses(
        (status = 201, body = UserOut),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_user(
    admin: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<NewUserIn>,
) -> AppResult<(StatusCode, Json<UserOut>)> {
    let input = AccountInput {
        account: NewAccount {
            username: input.username,
            display_name: input.display_name,
            password: input.password,
            national_id: input.national_id,
            mobile: input.mobile,
        },
        org_unit: input
            .org_unit_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        roles: input.roles,
    };
    match accounts::create(&state, &input, admin.id).await? {
        Ok(u) => Ok((StatusCode::CREATED, Json(u.into()))),
        Err(errors) => Err(AppError::Validation(errors)),
    }
}

/// One account: admins see anyone, others only themselves.
#[utoipa::path(get, path = "/users/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = UserOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_user(
    caller: SignedIn,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<UserId>,
) -> AppResult<Json<UserOut>> {
    if caller.id != id && !caller.has(Role::Admin) {
        // Not "forbidden": whether an account exists is not everyone's business.
        return Err(AppError::NotFound);
    }
    Ok(Json(state.store.user(id).await?.into()))
}

/// The org-unit tree as a flat list, parents first.
#[utoipa::path(get, path = "/org-units", tag = "accounts",
    responses((status = 200, body = Vec<OrgUnitOut>)))]
pub async fn org_units(
    _: Public,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<OrgUnitOut>>> {
    Ok(Json(
        state
            .store
            .org_units()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// The 31 provinces with their stable codes.
#[utoipa::path(get, path = "/provinces", tag = "accounts",
    responses((status = 200, body = Vec<ProvinceOut>)))]
pub async fn provinces(_: Public) -> Json<Vec<ProvinceOut>> {
    Json(
        hamafza_persian::provinces::PROVINCES
            .iter()
            .map(|p| ProvinceOut {
                code: p.code.into(),
                name_fa: p.name_fa.into(),
                name_en: p.name_en.into(),
            })
            .collect(),
    )
}
