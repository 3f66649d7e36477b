//! Applications (办件, DOMAIN.md §7, seeds 002 and 003): the services on a certificate —
//! employer change (执业企业变更), cancellation (注销), renewal (延续), supplement (补录),
//! correction (纠错) —, the issue of a certificate after a passed exam, and an enterprise's
//! reissue under its new name (企业名称变更). Each is a state machine walked along an approval
//! chain (`chain`: the seeds' by default, configurable), its preconditions checked before it
//! is created (`rules`, every failing one named), its every act kept (`store`), its steps
//! announced (`notices`), and its approval carried out on the certificates (`effects`).
//!
//! - `kinds`: the fixed lists (kind, step, state, action, cancellation reason);
//! - `facts`: what the preconditions read, gathered for one applicant;
//! - `flow`: submit, decide (pass on, approve, refuse) and withdraw;
//! - `view`: what an application asks for and how it is shown;
//! - `routes`: the person's services, the enterprise's reissue, deciding, 我的办件, and the
//!   published cancellations.

pub mod chain;
mod effects;
mod exam_pass;
mod facts;
pub mod flow;
pub mod kinds;
mod notices;
pub mod routes;
pub mod rules;
pub mod store;
pub mod view;

pub use exam_pass::{issue_after_pass, PassedExam};
