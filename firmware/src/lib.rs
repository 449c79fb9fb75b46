#![no_std]
//! The simulated device firmware (see issue: device-sim).
