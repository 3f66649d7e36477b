pub mod electronic;
