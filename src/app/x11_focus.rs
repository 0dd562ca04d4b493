//! Keyboard focus on X11 with no window manager. winit asks a window manager
//! for focus (a _NET_ACTIVE_WINDOW message), which nobody answers under a
//! bare Xvfb, so after a click the keys went nowhere; the window takes the
//! X input focus itself instead.

use eframe::egui;

/// On a press while the window lacks the keyboard, asks for focus both ways:
/// the window manager's (egui's Focus command) and, on X11, XSetInputFocus.
pub fn focus_on_click(ctx: &egui::Context, frame: &eframe::Frame) {
    if ctx.input(|i| i.pointer.any_pressed() && !i.focused) {
        ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        #[cfg(all(unix, not(target_os = "macos")))]
        take_x11_focus(frame);
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let _ = frame;
    }
}

/// Gives `frame`'s X11 window the input focus; nothing off X11 or where
/// libX11 cannot be loaded.
#[cfg(all(unix, not(target_os = "macos")))]
fn take_x11_focus(frame: &eframe::Frame) {
    use raw_window_handle::{HasDisplayHandle, HasWindowHandle, RawDisplayHandle, RawWindowHandle};
    let (Ok(window), Ok(display)) = (frame.window_handle(), frame.display_handle()) else {
        return;
    };
    let (RawWindowHandle::Xlib(window), RawDisplayHandle::Xlib(display)) =
        (window.as_raw(), display.as_raw())
    else {
        return;
    };
    let (Some(connection), Ok(xlib)) = (display.display, x11_dl::xlib::Xlib::open()) else {
        return;
    };
    let connection = connection.as_ptr().cast();
    // SAFETY: the display connection and the window are winit's own, alive
    // for this frame; both calls only queue and send requests on them.
    unsafe {
        (xlib.XSetInputFocus)(
            connection,
            window.window,
            x11_dl::xlib::RevertToParent,
            x11_dl::xlib::CurrentTime,
        );
        (xlib.XFlush)(connection);
    }
}
