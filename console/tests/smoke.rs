use wisp_console::testing::Rig;
use wisp_console::{Config, Lines};

#[test]
fn smoke() {
    let mut rig = Rig::new(Config::default(), ());
    rig.console.line(format_args!("hello"));
    let mut c = rig.connect("/printf");
    rig.settle(&mut [&mut c]);
    assert!(c.is_open(), "{:?}", c.refusal);
    let t = c.texts();
    assert_eq!(t, ["#0 hello"]);
    c.send_text("print hi there");
    rig.settle(&mut [&mut c]);
    let t = c.texts();
    assert_eq!(t, ["#1 [     0.000000] INFO print: hi there"]);
    c.send_text("help");
    rig.settle(&mut [&mut c]);
    let t = c.texts();
    println!("{t:#?}");
    assert_eq!(t.len(), 4);
}
