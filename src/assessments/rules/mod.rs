//! Assessment rules, as pure functions: the record's lifecycle (DOMAIN.md §6; seed 000 §2.2–2.5,
//! seed 001 §3.3.1), score ranges, what a submission needs, and how a review ends.
//!
//! - `kinds`: template kinds, item kinds, the people lists' roles;
//! - `transitions`: the record's states and the lifecycle's transitions;
//! - `scores`: score ranges and sums, in tenths of a point;
//! - `submission`: what each item lacks before a submission;
//! - `review`: how a review ends, and the result level of a reviewed assessment.

mod kinds;
mod review;
mod scores;
mod submission;
mod transitions;

pub use kinds::{ItemKind, PersonRole, TemplateKind};
pub use review::{finish, result_level, ItemReview, Outcome, ResultBands, ResultLevel};
pub use scores::{check_score, tenths, total, ScoreRule};
pub use submission::{missing_for_submission, Gap, ItemFill};
pub use transitions::{transition, Event, NotAllowed, State};
