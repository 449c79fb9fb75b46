//! The dashboard (see issue: web).
