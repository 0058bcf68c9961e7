//! Renderers: `plan::Plan` -> deployable files (stub: to be written).
pub mod escape;
