//! The network, as a board's HAL brings it up: the LAN9118 under
//! `embassy-net` at the board's static address, with the stack's runner in
//! a task of its own.

use embassy_executor::Spawner;
use embassy_net::{Ipv4Address, Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};

use crate::lan9118::Lan9118;
use crate::net_driver::Lan9118Driver;
use crate::uart::Uart0;
use crate::{ADDRESS, GATEWAY, entropy, halt};

#[embassy_executor::task]
async fn run(mut runner: Runner<'static, Lan9118Driver>) -> ! {
    runner.run().await
}

/// Start the controller and the stack on it (10.0.2.15/24, gateway
/// 10.0.2.2), `SOCKETS` sockets in `resources`, and spawn the stack's task.
/// With no controller answering (or called twice) it says so on the UART
/// and halts: a board without its network has nothing to serve.
pub fn start<const SOCKETS: usize>(
    spawner: Spawner,
    resources: &'static mut StackResources<SOCKETS>,
) -> Stack<'static> {
    let Some(nic) = Lan9118::new() else {
        Uart0::new().write_str("wisp-board: no LAN9118 answers at 0x4020_0000\r\n");
        halt()
    };
    let [a, b, c, d] = ADDRESS;
    let [g, h, i, j] = GATEWAY;
    let config = embassy_net::Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(Ipv4Address::new(a, b, c, d), 24),
        gateway: Some(Ipv4Address::new(g, h, i, j)),
        dns_servers: Default::default(),
    });
    let mut seed = [0; 8];
    entropy::fill(&mut seed);
    let (stack, runner) = embassy_net::new(Lan9118Driver::new(nic), config, resources, u64::from_le_bytes(seed));
    match run(runner) {
        Ok(task) => spawner.spawn(task),
        Err(_) => {
            Uart0::new().write_str("wisp-board: the network is started once\r\n");
            halt()
        }
    }
    stack
}
