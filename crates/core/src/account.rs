//! Accounts: what a valid username, display name, password, national ID and mobile number are.
//! Input is normalized (Persian letters and digits) before it is checked, so a user may type
//! digits in any script and Arabic ي/ك.

use crate::Role;
use crate::ids::{OrgUnitId, UserId};
use crate::time::UnixSeconds;
use hamafza_persian as persian;
use serde::Serialize;

/// Why one form field was refused. The web layer renders it as a message in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("required")]
    Required,
    #[error("too short (at least {0})")]
    TooShort(usize),
    #[error("too long (at most {0})")]
    TooLong(usize),
    #[error("only a-z, 0-9, dot, dash and underscore")]
    UsernameChars,
    #[error("not a valid national ID")]
    NationalId,
    #[error("not a valid Iranian mobile number")]
    Mobile,
    #[error("the password must not be the username")]
    PasswordIsUsername,
    #[error("the two passwords differ")]
    PasswordsDiffer,
    #[error("already taken")]
    Taken,
    #[error("unknown value")]
    Unknown,
    #[error("wrong")]
    Wrong,
    #[error("not a Jalali date like 1403/01/15")]
    Date,
    #[error("not a time like 14:30")]
    Time,
    #[error("the end comes before the start")]
    DateOrder,
    #[error("a stage starts before the one above it")]
    StageOrder,
    #[error("not open now")]
    Closed,
    #[error("a file type that is not accepted")]
    FileType,
    #[error("a file larger than {0} MB")]
    FileTooBig(usize),
    #[error("more than {0} files")]
    TooManyFiles(usize),
    #[error("no account with this username or mobile number")]
    NoSuchUser,
    #[error("outside the call's audience")]
    NotInAudience,
    #[error("already on the team")]
    AlreadyMember,
    #[error("a team of more than {0}")]
    TeamFull(usize),
    /// Not a tracking code: 10 digits, as on the receipt.
    #[error("not a 10-digit tracking code")]
    TrackingCode,
    /// More team invitations today than one idea or one person may send.
    #[error("more than {0} invitations a day")]
    InviteLimit(usize),
    /// Someone else changed the object meanwhile; reload and decide again.
    #[error("changed meanwhile")]
    Changed,
    /// A duplicate idea stays on the axis of the idea it was merged into.
    #[error("a duplicate keeps its axis")]
    DuplicateKeepsAxis,
    /// An uploaded table (CSV or XLSX) that cannot be read, or is damaged.
    #[error("the file cannot be read as XLSX or CSV")]
    FileUnreadable,
    #[error("a table of more than {0} rows")]
    FileTooManyRows(usize),
    #[error("a table of more than {0} columns")]
    FileTooManyColumns(usize),
    /// The parts of a compressed file (XLSX) unpack to more than this many MB.
    #[error("a file that unpacks to more than {0} MB")]
    FileUnpacksTooBig(usize),
    /// Too many cells or parts, or reading it took too long.
    #[error("a file too complex to read")]
    FileTooComplex,
    /// A CSV whose quoted cell, opened on this line, is never closed: without this error every
    /// row after it would silently become part of that one cell.
    #[error("a quote opened on line {0} is never closed")]
    UnclosedQuote(usize),
    /// Text in no encoding a spreadsheet writes (UTF-8, UTF-16 with a BOM, Windows-1256), or
    /// not text at all.
    #[error("the file's characters are in no known encoding")]
    FileEncoding,
    /// Not a rank: a whole number from 1.
    #[error("not a rank (a whole number from 1)")]
    Rank,
    /// Two ideas given the same award and the same rank.
    #[error("two ideas share an award and a rank")]
    RankTaken,
    /// An idea results may not award: not among the finalists of the call.
    #[error("not a finalist of this call")]
    NotFinalist,
    /// Removing it would strand ideas: some are filed under the axis, or have reached the stage.
    #[error("ideas are filed under it")]
    InUse,
    /// An axis sent at another place than it has: axes keep their places (ideas follow them).
    #[error("moved from its place")]
    Moved,
    /// Ranks of one award that skip a number: 1, 2, 3 and so on.
    #[error("ranks with a gap")]
    RankGap,
    /// A tracking code of no idea of this call.
    #[error("no idea of this call has this tracking code")]
    NoSuchIdea,
    /// A date written right that is not in the calendar (1404/12/30, 1403/13/01).
    #[error("no such day in the Jalali calendar")]
    NoSuchDay,
    /// A score off its criterion's scale.
    #[error("a score off the scale")]
    OutOfScale,
    /// A jury member who does not hold the judge role.
    #[error("not a judge")]
    NotJudge,
    /// A criterion's weight outside 1 to 100.
    #[error("a weight outside 1 to 100")]
    Weight,
    /// A numeric scale that is empty or wider than 100 steps.
    #[error("a scale's lowest score is not below its highest")]
    ScaleRange,
    /// A rubric with fewer than 2 or more than 10 levels, or a level without a description.
    #[error("a rubric needs 2 to 10 levels, each described")]
    Levels,
    /// Judging has started: the mode and criteria can no longer change.
    #[error("judging has started")]
    Started,
    /// Reviews per idea outside 1 to 10.
    #[error("reviews per idea outside 1 to 10")]
    ReviewsPerIdea,
    /// A stage moved into the next one.
    #[error("runs into the next stage")]
    Overlaps,
    /// Only the stage after the open one can be opened now.
    #[error("not the next stage")]
    NotNextStage,
    /// Shortlisting a stage with no idea left at it.
    #[error("already shortlisted")]
    Shortlisted,
    /// A shortlist of no idea, or of more than the stage has.
    #[error("a shortlist size outside 1 to the ideas at the stage")]
    ShortlistSize,
    /// An idea compared with itself.
    #[error("the same idea twice")]
    SameIdea,
    /// An idea the judge has a conflict of interest with.
    #[error("a conflict of interest")]
    Conflicted,
}

impl From<hamafza_persian::jalali::ParseDateError> for FieldError {
    /// A misread date says how to write one; a well-written day that does not exist says so.
    fn from(e: hamafza_persian::jalali::ParseDateError) -> Self {
        use hamafza_persian::jalali::ParseDateError as E;
        match e {
            E::Month | E::Day => FieldError::NoSuchDay,
            _ => FieldError::Date,
        }
    }
}

impl FieldError {
    /// The catalog key of the message, e.g. `error.required`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Required => "error.required",
            Self::TooShort(_) => "error.too_short",
            Self::TooLong(_) => "error.too_long",
            Self::UsernameChars => "error.username_chars",
            Self::NationalId => "error.national_id",
            Self::Mobile => "error.mobile",
            Self::PasswordIsUsername => "error.password_is_username",
            Self::PasswordsDiffer => "error.passwords_differ",
            Self::Taken => "error.taken",
            Self::Unknown => "error.unknown_value",
            Self::Wrong => "error.wrong",
            Self::Date => "error.date",
            Self::Time => "error.time",
            Self::DateOrder => "error.date_order",
            Self::StageOrder => "error.stage_order",
            Self::Closed => "idea.not_open",
            Self::FileType => "error.file_type",
            Self::FileTooBig(_) => "error.file_too_big",
            Self::TooManyFiles(_) => "error.too_many_files",
            Self::NoSuchUser => "error.no_such_user",
            Self::NotInAudience => "error.not_in_audience",
            Self::AlreadyMember => "error.already_member",
            Self::TeamFull(_) => "error.team_full",
            Self::InviteLimit(_) => "error.invite_limit",
            Self::TrackingCode => "error.tracking_code",
            Self::Changed => "error.changed",
            Self::DuplicateKeepsAxis => "error.duplicate_keeps_axis",
            Self::FileUnreadable => "error.file_unreadable",
            Self::FileTooManyRows(_) => "error.file_too_many_rows",
            Self::FileTooManyColumns(_) => "error.file_too_many_columns",
            Self::FileUnpacksTooBig(_) => "error.file_unpacks_too_big",
            Self::FileTooComplex => "error.file_too_complex",
            Self::UnclosedQuote(_) => "error.unclosed_quote",
            Self::FileEncoding => "error.file_encoding",
            Self::Rank => "error.rank",
            Self::RankTaken => "error.rank_taken",
            Self::NotFinalist => "error.not_finalist",
            Self::InUse => "error.in_use",
            Self::Moved => "error.moved",
            Self::RankGap => "error.rank_gap",
            Self::NoSuchIdea => "error.no_such_idea",
            Self::NoSuchDay => "error.no_such_day",
            Self::OutOfScale => "error.out_of_scale",
            Self::NotJudge => "error.not_judge",
            Self::Weight => "error.weight",
            Self::ScaleRange => "error.scale_range",
            Self::Levels => "error.levels",
            Self::Started => "error.judging_started",
            Self::ReviewsPerIdea => "error.reviews_per_idea",
            Self::Overlaps => "error.stage_overlaps",
            Self::NotNextStage => "error.not_next_stage",
            Self::Shortlisted => "error.shortlisted",
            Self::ShortlistSize => "error.shortlist_size",
            Self::SameIdea => "error.same_idea",
            Self::Conflicted => "error.conflicted",
        }
    }

    /// The number a message may mention (`{n}`), if any.
    pub fn arg(self) -> Option<usize> {
        match self {
            Self::TooShort(n)
            | Self::TooLong(n)
            | Self::FileTooBig(n)
            | Self::TooManyFiles(n)
            | Self::TeamFull(n)
            | Self::InviteLimit(n)
            | Self::FileTooManyRows(n)
            | Self::FileTooManyColumns(n)
            | Self::FileUnpacksTooBig(n) => Some(n),
            _ => None,
        }
    }
}

/// Field name → error, in form order. Empty means valid.
pub type FieldErrors = Vec<(&'static str, FieldError)>;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const DISPLAY_NAME_MIN: usize = 2;
pub const DISPLAY_NAME_MAX: usize = 80;
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;

/// A username: lowercase ASCII letters, digits, `.`, `_`, `-`; or a mobile number, which is how
/// citizens who sign up by SMS are known.
pub fn parse_username(input: &str) -> Result<String, FieldError> {
    let s = persian::digits::to_latin(input.trim()).to_lowercase();
    if s.is_empty() {
        return Err(FieldError::Required);
    }
    if let Some(m) = persian::mobile::normalize(&s) {
        return Ok(m);
    }
    let n = s.chars().count();
    if n < USERNAME_MIN {
        return Err(FieldError::TooShort(USERNAME_MIN));
    }
    if n > USERNAME_MAX {
        return Err(FieldError::TooLong(USERNAME_MAX));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        return Err(FieldError::UsernameChars);
    }
    Ok(s)
}

/// A display name as the user typed it, with Arabic letter forms and stray spaces fixed.
pub fn parse_display_name(input: &str) -> Result<String, FieldError> {
    let s = fix_letters(input);
    let n = s.chars().count();
    if n == 0 {
        return Err(FieldError::Required);
    }
    if n < DISPLAY_NAME_MIN {
        return Err(FieldError::TooShort(DISPLAY_NAME_MIN));
    }
    if n > DISPLAY_NAME_MAX {
        return Err(FieldError::TooLong(DISPLAY_NAME_MAX));
    }
    Ok(s)
}

/// Free text as it is kept and shown (a title, a name, a tag, a message): Arabic ي/ى/ك become
/// Persian ی/ک, whitespace collapses, and direction controls that could reach outside the text
/// (overrides, unpaired embeddings and isolates: see `persian::controls::balance_bidi`) go;
/// everything else stays as typed (digits, ZWNJ, diacritics): the form people read, unlike
/// `persian::normalize`.
///
/// Text with nothing visible in it (five half-spaces, zero-width spaces, direction marks) becomes
/// `""`. Every validator builds on this function, so its `is_empty()` check means "nothing a
/// reader can see" and reports `FieldError::Required` with the same message as an empty field.
pub fn fix_letters(input: &str) -> String {
    if is_blank(input) {
        return String::new();
    }
    let replaced: String = persian::controls::balance_bidi(input)
        .chars()
        .map(|c| match c {
            'ي' | 'ى' => 'ی',
            'ك' => 'ک',
            c => c,
        })
        .collect();
    replaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether typed text has nothing a reader can see: empty, or only whitespace, half-spaces,
/// zero-width and direction characters. For checks on raw input; text that went through
/// `fix_letters` is simply empty then.
pub fn is_blank(input: &str) -> bool {
    !persian::controls::has_visible(input)
}

/// Like `fix_letters`, for multi-line text: keeps line breaks, trims each line's ends; a line
/// with nothing visible becomes empty, and so does the whole text if no line has anything.
pub fn fix_letters_keep_lines(input: &str) -> String {
    let lines: Vec<String> = input.lines().map(fix_letters).collect();
    lines.join("\n").trim().to_string()
}

pub fn check_password(password: &str, username: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n == 0 {
        return Err(FieldError::Required);
    }
    if n < PASSWORD_MIN {
        return Err(FieldError::TooShort(PASSWORD_MIN));
    }
    if n > PASSWORD_MAX {
        return Err(FieldError::TooLong(PASSWORD_MAX));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(FieldError::PasswordIsUsername);
    }
    Ok(())
}

/// An optional national ID: empty is fine, anything else must pass the checksum.
pub fn parse_national_id(input: &str) -> Result<Option<String>, FieldError> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    persian::national_id::normalize(input)
        .map(Some)
        .ok_or(FieldError::NationalId)
}

/// An optional mobile number, normalized to `09xxxxxxxxx`.
pub fn parse_mobile(input: &str) -> Result<Option<String>, FieldError> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    persian::mobile::normalize(input)
        .map(Some)
        .ok_or(FieldError::Mobile)
}

/// A new account as typed into the admin form, the CLI or the API.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub national_id: String,
    pub mobile: String,
}

/// A new account after validation: every field normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub national_id: Option<String>,
    pub mobile: Option<String>,
}

impl NewAccount {
    /// Checks every field and reports all problems at once, so a form can mark each of them.
    pub fn validate(&self) -> Result<ValidAccount, FieldErrors> {
        let mut errors = FieldErrors::new();
        let username = parse_username(&self.username)
            .map_err(|e| errors.push(("username", e)))
            .unwrap_or_default();
        let display_name = parse_display_name(&self.display_name)
            .map_err(|e| errors.push(("display_name", e)))
            .unwrap_or_default();
        let _ = check_password(&self.password, &username).map_err(|e| errors.push(("password", e)));
        let national_id = parse_national_id(&self.national_id)
            .map_err(|e| errors.push(("national_id", e)))
            .unwrap_or_default();
        let mobile = parse_mobile(&self.mobile)
            .map_err(|e| errors.push(("mobile", e)))
            .unwrap_or_default();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidAccount {
            username,
            display_name,
            password: self.password.clone(),
            national_id,
            mobile,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
/// A person's account with its roles (sorted).
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub national_id: Option<String>,
    pub mobile: Option<String>,
    pub org_unit_id: Option<OrgUnitId>,
    pub locale: String,
    pub disabled: bool,
    pub created_at: UnixSeconds,
    pub roles: Vec<Role>,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> NewAccount {
        NewAccount {
            username: "Sara.Ahmadi".into(),
            display_name: "  سارا   احمدي ".into(),
            password: "a-long-enough-secret".into(),
            national_id: "".into(),
            mobile: "۰۹۱۲ ۱۲۳ ۴۵۶۷".into(),
        }
    }

    #[test]
    fn a_name_of_invisible_characters_is_required() {
        for name in [
            "\u{200C}\u{200C}\u{200C}",
            "\u{200F}\u{200E}\u{202E}",
            "\u{200B} \u{2060}",
        ] {
            assert_eq!(
                parse_display_name(name),
                Err(FieldError::Required),
                "{name:?}"
            );
        }
        assert_eq!(
            parse_display_name("سارا \u{202E}احمدی").as_deref(),
            Ok("سارا احمدی")
        );
        assert_eq!(fix_letters_keep_lines("\u{200C}\n\u{200B}\n "), "");
        assert_eq!(fix_letters_keep_lines("یک\u{202B}\nدو"), "یک\nدو");
        assert!(is_blank("\u{200C} \u{200D}") && !is_blank("\u{200C}ب"));
    }

    #[test]
    fn a_valid_account_is_normalized() {
        let v = valid().validate().unwrap();
        assert_eq!(v.username, "sara.ahmadi");
        assert_eq!(v.display_name, "سارا احمدی");
        assert_eq!(v.mobile.as_deref(), Some("09121234567"));
        assert_eq!(v.national_id, None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let a = NewAccount {
            username: "a b".into(),
            display_name: "".into(),
            password: "short".into(),
            national_id: "1234567890".into(),
            mobile: "0800".into(),
        };
        let errs = a.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "username",
                "display_name",
                "password",
                "national_id",
                "mobile"
            ]
        );
        assert_eq!(errs[2].1, FieldError::TooShort(PASSWORD_MIN));
    }

    #[test]
    fn a_mobile_number_is_a_username() {
        assert_eq!(parse_username("+98 912 123 4567").unwrap(), "09121234567");
    }

    #[test]
    fn the_password_may_not_be_the_username() {
        assert_eq!(
            check_password("short", "x"),
            Err(FieldError::TooShort(PASSWORD_MIN))
        );
        assert_eq!(
            check_password("Participant1", "participant1"),
            Err(FieldError::PasswordIsUsername)
        );
        assert_eq!(
            check_password("participant12", "participant12"),
            Err(FieldError::PasswordIsUsername)
        );
    }
}
