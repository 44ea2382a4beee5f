//! End-to-end tests of the `gerbang` binary: its commands, and the demo with the IdP, the
//! gateway and the demo applications, driven over real HTTP.

mod backup;
mod cli;
mod demo;
mod faults;
mod gateway;
mod keys;
mod support;
