//! poco primitives (work in progress).
