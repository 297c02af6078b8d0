//! Takes over the terminal exactly as the interface does, then leaves by
//! the way named on the command line: `panic` or `error`. The real-terminal
//! tests run it to check that the terminal is restored on those paths too,
//! without putting a way to crash into the product itself.

use tessera::tui::terminal::Screen;

fn main() -> Result<(), String> {
    let way = std::env::args().nth(1).unwrap_or_default();
    let mut screen = Screen::enter().map_err(|e| e.to_string())?;
    screen
        .terminal
        .draw(|frame| frame.render_widget("taken over", frame.area()))
        .map_err(|e| e.to_string())?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    match way.as_str() {
        "panic" => panic!("a deliberate panic inside the interface"),
        _ => Err("a deliberate error inside the interface".to_owned()),
    }
}
