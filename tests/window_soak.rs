//! The real window on a virtual display (Xvfb), driven by xdotool with random
//! clicks, drags, wheel turns, keys and resizes while its maps compute: it
//! must stay open. Resizing while a map computed once closed it (a wgpu
//! validation error in `Surface::configure`). And with no window manager,
//! keys typed after a click reach it. Needs Xvfb and xdotool; without them
//! the tests say so in one line, and fail if KL_REQUIRE_DISPLAY=1 (CI).

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the random events go on.
const SOAK: Duration = Duration::from_secs(25);
/// Longest wait for the window to appear.
const OPEN: Duration = Duration::from_secs(60);

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts Xvfb on a free display, its messages to `log`; returns it and the display name.
fn virtual_display(log: &str) -> (Killed, String) {
    let log = std::fs::File::create(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(log))
        .expect("Xvfb's log");
    let mut xvfb = Command::new("Xvfb")
        // -noreset: by default the server resets whenever its last client
        // leaves, and a window connecting during a reset (after one of the
        // xdotool polls below) failed to open its display.
        .args([
            "-displayfd",
            "1",
            "-noreset",
            "-screen",
            "0",
            "1600x1000x24",
        ])
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("Xvfb starts");
    let mut line = String::new();
    let mut stdout = BufReader::new(xvfb.stdout.take().expect("Xvfb's stdout"));
    stdout.read_line(&mut line).expect("Xvfb names its display");
    // Xvfb and its keymap compiler may write to stdout later: a closed pipe
    // there killed the server with SIGPIPE before the window connected.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    (Killed(xvfb), format!(":{}", line.trim()))
}

fn xdotool(display: &str, args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .stderr(Stdio::null())
        .output()
        .expect("xdotool runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether Xvfb and xdotool are here; without them a test says so in one
/// line and returns, unless KL_REQUIRE_DISPLAY=1, which fails it.
fn display_tools(test: &str) -> bool {
    if have("Xvfb") && have("xdotool") {
        return true;
    }
    assert!(
        std::env::var("KL_REQUIRE_DISPLAY").as_deref() != Ok("1"),
        "KL_REQUIRE_DISPLAY=1 but Xvfb or xdotool is missing"
    );
    println!("skipping {test}: Xvfb or xdotool is missing");
    false
}

/// The window on `display`, started in the empty folder `scratch` (a Save
/// click writes its scenario there), and its X window id once it shows.
fn open_window(display: &str, scratch: &str) -> (Killed, String) {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("scratch folder");
    let mut app = Killed(
        Command::new(env!("CARGO_BIN_EXE_kl-landscape"))
            .arg("gui")
            .env("DISPLAY", display)
            .current_dir(&scratch)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the window starts"),
    );
    let opened = Instant::now();
    loop {
        let found = xdotool(display, &["search", "--name", "^kl-landscape$"]);
        if let Some(id) = found.split_whitespace().next() {
            return (app, id.to_string());
        }
        assert!(opened.elapsed() < OPEN, "no window after {OPEN:?}");
        if let Some(status) = app.0.try_wait().unwrap() {
            panic!(
                "the window quit before showing ({status}):\n{}",
                stderr_of(&mut app)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What the window wrote on stderr (once it has quit).
fn stderr_of(app: &mut Killed) -> String {
    let mut err = String::new();
    let _ = app.0.stderr.take().map(|mut e| e.read_to_string(&mut err));
    err
}

#[test]
fn keys_reach_the_window_once_it_was_clicked() {
    if !display_tools("the keys-after-click check") {
        return;
    }
    // Where the Save button is at the window's opening size once + added a
    // row to the table: the headless window lays out the same frame.
    let mut headless = match kl_landscape::app::headless::Headless::new(
        &kl_landscape::scenario::Scenario::default(),
        kl_landscape::app::WINDOW_SIZE,
        1,
    ) {
        Ok(h) => h,
        Err(e) if std::env::var("KL_REQUIRE_GPU").as_deref() == Ok("1") => {
            panic!("KL_REQUIRE_GPU=1 but no adapter: {e}")
        }
        Err(e) => {
            println!("skipping the keys-after-click check: no adapter ({e})");
            return;
        }
    };
    headless.key(eframe::egui::Key::Plus);
    headless.frame();
    let save = headless
        .app()
        .control_pos(kl_landscape::app::controls::Control::Save)
        .expect("the Save button is drawn");
    let (save_x, save_y) = ((save.x as i32).to_string(), (save.y as i32).to_string());
    let (_xvfb, display) = virtual_display("xvfb-keys.log");
    let (mut app, window) = open_window(&display, "window-keys");
    // Let the window draw its first frames, then click the top bar's right
    // end (nothing there reacts), type + with no focus call, and save.
    std::thread::sleep(Duration::from_secs(3));
    xdotool(
        &display,
        &["mousemove", "--window", &window, "1200", "12", "click", "1"],
    );
    std::thread::sleep(Duration::from_millis(700));
    xdotool(&display, &["key", "plus"]);
    std::thread::sleep(Duration::from_millis(700));
    xdotool(
        &display,
        &[
            "mousemove",
            "--window",
            &window,
            &save_x,
            &save_y,
            "click",
            "1",
        ],
    );
    let saved = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("window-keys/scenario.json");
    let asked = Instant::now();
    while !saved.exists() {
        assert!(
            asked.elapsed() < Duration::from_secs(20),
            "the Save click wrote nothing"
        );
        if app.0.try_wait().unwrap().is_some() {
            panic!("the window closed:\n{}", stderr_of(&mut app));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let scenario: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(
        scenario["target"].as_array().map(Vec::len),
        Some(3),
        "the + typed after a click did not add a mode: {scenario}"
    );
}

#[test]
fn the_window_survives_random_input_and_resizes() {
    if !display_tools("the window soak") {
        return;
    }
    let (_xvfb, display) = virtual_display("xvfb-soak.log");
    let (mut app, window) = open_window(&display, "window-soak");

    let mut rng = fastrand::Rng::with_seed(5);
    let (mut events, start) = (0, Instant::now());
    while start.elapsed() < SOAK {
        let at =
            |rng: &mut fastrand::Rng| [rng.u32(0..1600).to_string(), rng.u32(0..1000).to_string()];
        let [x, y] = at(&mut rng);
        let r = rng.f32();
        if r < 0.08 {
            let (w, h) = (rng.u32(1000..=1600), rng.u32(700..=1000));
            xdotool(
                &display,
                &["windowsize", &window, &w.to_string(), &h.to_string()],
            );
        } else if r < 0.35 {
            xdotool(&display, &["mousemove", &x, &y, "click", "1"]);
        } else if r < 0.6 {
            let [x2, y2] = at(&mut rng);
            let drag = [
                "mousemove",
                &x,
                &y,
                "mousedown",
                "1",
                "mousemove",
                &x2,
                &y2,
                "mouseup",
                "1",
            ];
            xdotool(&display, &drag);
        } else if r < 0.8 {
            let wheel = if rng.bool() { "4" } else { "5" };
            xdotool(&display, &["mousemove", &x, &y, "click", wheel]);
        } else {
            let keys = [
                "plus",
                "minus",
                "r",
                "space",
                "Return",
                "BackSpace",
                "1",
                "period",
            ];
            let key = keys[rng.usize(..keys.len())];
            xdotool(&display, &["windowfocus", &window, "key", key]);
        }
        events += 1;
        if app.0.try_wait().unwrap().is_some() {
            panic!(
                "the window closed after {events} events:\n{}",
                stderr_of(&mut app)
            );
        }
    }
    println!(
        "{events} events in {:?}: the window stayed open",
        start.elapsed()
    );
}
