//! The window without a display: egui frames driven by synthetic input
//! (pointer moves, clicks, drags, keys as `egui::RawInput` events), rendered
//! by `egui_wgpu::Renderer` into an offscreen texture and read back. The
//! screenshot command and the render tests use it; the maps share its device.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use eframe::egui::epaint::ClippedPrimitive;
use eframe::egui::{self, Event, Key, Modifiers, PointerButton, Pos2, RawInput, Rect, pos2, vec2};
use eframe::egui_wgpu::{self, RenderState, ScreenDescriptor, wgpu};

use super::App;
use super::maps::Maps;
use crate::error::{Error, Result};
use crate::scenario::Scenario;

/// Most frames [`super::screenshot`] runs while waiting for the maps.
pub const MAX_FRAMES: u32 = 15_000;
/// Simulated frame interval.
const FRAME: Duration = Duration::from_millis(16);
/// Longest wait for the GPU to finish a frame.
pub const WAIT: Duration = Duration::from_secs(30);

/// An RGBA8 picture of the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Row-major RGBA bytes, 4 per pixel.
    pub rgba: Vec<u8>,
}

impl Picture {
    /// The pixel at (x, y) as [r, g, b, a].
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = 4 * (y as usize * self.width as usize + x as usize);
        [
            self.rgba[i],
            self.rgba[i + 1],
            self.rgba[i + 2],
            self.rgba[i + 3],
        ]
    }

    /// Number of distinct colours (a blank frame has one).
    pub fn distinct_colours(&self) -> usize {
        let mut seen: Vec<u32> = self
            .rgba
            .chunks_exact(4)
            .map(|p| u32::from_le_bytes([p[0], p[1], p[2], p[3]]))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }

    /// Writes the picture as a PNG.
    pub fn save_png(&self, path: &Path) -> Result<()> {
        crate::export::png::write_pixels(
            path,
            [self.width, self.height],
            png::ColorType::Rgba,
            &self.rgba,
        )
    }
}

/// The window run offscreen: an egui context, the app, and a wgpu renderer.
pub struct Headless {
    app: App,
    ctx: egui::Context,
    render_state: RenderState,
    size: [f32; 2],
    clock: Instant,
    events: Vec<Event>,
    shapes: Vec<egui::epaint::ClippedShape>,
    pointer: Pos2,
}

impl Headless {
    /// Opens a wgpu device (any adapter, software included) and builds the
    /// window on `scenario` at `size` points, its maps on the GPU engine over that device.
    pub fn new(scenario: &Scenario, size: [f32; 2], seed: u64) -> Result<Self> {
        let render_state = render_state()?;
        let maps = Maps::new(Some(super::engine_for(&render_state, None)));
        Ok(Self::with_app(
            App::with_maps(scenario, maps, seed),
            render_state,
            size,
        ))
    }

    /// Builds the driver around an app (for tests that want small maps) on a render state from [`render_state`].
    pub fn with_app(app: App, render_state: RenderState, size: [f32; 2]) -> Self {
        Self {
            app,
            ctx: egui::Context::default(),
            render_state,
            size,
            clock: Instant::now(),
            events: Vec::new(),
            shapes: Vec::new(),
            pointer: pos2(0.0, 0.0),
        }
    }

    /// The app.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The app, to change directly.
    pub fn app_mut(&mut self) -> &mut App {
        &mut self.app
    }

    /// Queues an input event for the next frame.
    pub fn push(&mut self, event: Event) {
        if let Event::PointerMoved(p) | Event::PointerButton { pos: p, .. } = &event {
            self.pointer = *p;
        }
        self.events.push(event);
    }

    /// Runs one frame with the queued events; textures are uploaded, shapes kept for [`Self::render`].
    pub fn frame(&mut self) {
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(
                Pos2::ZERO,
                vec2(self.size[0], self.size[1]),
            )),
            time: Some(self.clock.elapsed().as_secs_f64()),
            predicted_dt: FRAME.as_secs_f32(),
            max_texture_side: Some(8192),
            events: std::mem::take(&mut self.events),
            ..Default::default()
        };
        let app = &mut self.app;
        let mut output = self.ctx.run_ui(input, |ui| app.show(ui));
        let mut renderer = self.render_state.renderer.write();
        for (id, deltas) in output.textures_delta.set.drain() {
            for delta in &deltas {
                renderer.update_texture(
                    &self.render_state.device,
                    &self.render_state.queue,
                    id,
                    delta,
                );
            }
        }
        for id in output.textures_delta.free.drain() {
            renderer.free_texture(&id);
        }
        self.shapes = output.shapes;
    }

    /// Runs frames (one every ~16 ms of wall time) until `done` holds or `max` frames ran.
    pub fn run_until(&mut self, max: u32, mut done: impl FnMut(&App) -> bool) -> bool {
        for _ in 0..max {
            let t = Instant::now();
            self.frame();
            if done(&self.app) {
                return true;
            }
            std::thread::sleep(FRAME.saturating_sub(t.elapsed()));
        }
        false
    }

    /// Moves the pointer to `pos` (one frame).
    pub fn hover(&mut self, pos: Pos2) {
        self.push(Event::PointerMoved(pos));
        self.frame();
    }

    /// Clicks the primary button at `pos` (move, press, release over three frames).
    pub fn click(&mut self, pos: Pos2) {
        self.hover(pos);
        self.button(pos, true);
        self.frame();
        self.button(pos, false);
        self.frame();
    }

    /// Drags with the primary button from `from` to `to` in `steps` moves, then releases.
    pub fn drag(&mut self, from: Pos2, to: Pos2, steps: u32) {
        self.hover(from);
        self.button(from, true);
        self.frame();
        let steps = steps.max(1);
        for i in 1..=steps {
            let p = from + (to - from) * (i as f32 / steps as f32);
            self.push(Event::PointerMoved(p));
            self.frame();
        }
        self.button(to, false);
        self.frame();
    }

    /// Scrolls `notches` wheel lines at `pos` (one frame).
    pub fn scroll(&mut self, pos: Pos2, notches: f32) {
        self.push(Event::PointerMoved(pos));
        self.push(Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: vec2(0.0, notches),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: Modifiers::NONE,
        });
        self.frame();
    }

    /// Presses and releases `key` (one frame).
    pub fn key(&mut self, key: Key) {
        for pressed in [true, false] {
            self.push(Event::Key {
                key,
                physical_key: None,
                pressed,
                repeat: false,
                modifiers: Modifiers::NONE,
            });
        }
        self.frame();
    }

    fn button(&mut self, pos: Pos2, pressed: bool) {
        self.push(Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }

    /// Where the pointer is.
    pub fn pointer(&self) -> Pos2 {
        self.pointer
    }

    /// Renders the last frame's shapes offscreen and reads the pixels back.
    pub fn render(&mut self) -> Result<Picture> {
        let rs = &self.render_state;
        let ppp = self.ctx.pixels_per_point();
        let (width, height) = (
            (self.size[0] * ppp).round() as u32,
            (self.size[1] * ppp).round() as u32,
        );
        let screen = ScreenDescriptor {
            size_in_pixels: [width, height],
            pixels_per_point: ppp,
        };
        let tessellated = self.ctx.tessellate(self.shapes.clone(), ppp);
        let mut encoder = rs.device.create_command_encoder(&Default::default());
        let (texture, user) = draw_offscreen(rs, &tessellated, &screen, &mut encoder);
        // Copy to a buffer with rows padded to wgpu's alignment.
        let unpadded = 4 * width;
        let padded = unpadded.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
            * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let buffer = rs.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("screenshot read-back"),
            size: u64::from(padded) * u64::from(height),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded),
                    rows_per_image: None,
                },
            },
            wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
        );
        let index = rs.queue.submit(user.into_iter().chain([encoder.finish()]));
        let (tx, rx) = mpsc::channel();
        buffer
            .slice(..)
            .map_async(wgpu::MapMode::Read, move |r| drop(tx.send(r)));
        rs.device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(index),
                timeout: Some(WAIT),
            })
            .map_err(|e| Error::runtime(format!("GPU wait failed while rendering: {e}")))?;
        rx.recv()
            .map_err(|e| Error::runtime(format!("read-back of the frame failed: {e}")))?
            .map_err(|e| Error::runtime(format!("read-back of the frame failed: {e}")))?;
        let data = buffer
            .slice(..)
            .get_mapped_range()
            .map_err(|e| Error::runtime(format!("read-back of the frame failed: {e}")))?;
        let mut rgba = Vec::with_capacity((unpadded * height) as usize);
        for row in data.chunks_exact(padded as usize) {
            rgba.extend_from_slice(&row[..unpadded as usize]);
        }
        if rs.target_format == wgpu::TextureFormat::Bgra8Unorm {
            for p in rgba.chunks_exact_mut(4) {
                p.swap(0, 2);
            }
        }
        Ok(Picture {
            width,
            height,
            rgba,
        })
    }

    /// Renders the last frame and writes it as a PNG.
    pub fn save_png(&mut self, path: &Path) -> Result<()> {
        self.render()?.save_png(path)
    }
}

/// Records egui's `primitives`, drawn over the window's background into a
/// new texture of the window's format and `screen`'s size, in `encoder`.
/// Returns the texture and the renderer's own command buffers, which go to
/// the queue before `encoder`'s.
pub fn draw_offscreen(
    rs: &RenderState,
    primitives: &[ClippedPrimitive],
    screen: &ScreenDescriptor,
    encoder: &mut wgpu::CommandEncoder,
) -> (wgpu::Texture, Vec<wgpu::CommandBuffer>) {
    let [width, height] = screen.size_in_pixels;
    let texture = rs.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("kl-landscape offscreen"),
        size: wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: rs.target_format,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
        view_formats: &[],
    });
    let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
    let mut renderer = rs.renderer.write();
    let user = renderer.update_buffers(&rs.device, &rs.queue, encoder, primitives, screen);
    let mut pass = encoder
        .begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("egui offscreen"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &view,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(clear_colour()),
                    store: wgpu::StoreOp::Store,
                },
                depth_slice: None,
            })],
            ..Default::default()
        })
        .forget_lifetime();
    renderer.render(&mut pass, primitives, screen);
    (texture, user)
}

/// The window's background as the render pass clears to it.
fn clear_colour() -> wgpu::Color {
    let [r, g, b, a] = super::plot::BACKGROUND.to_normalized_gamma_f32();
    wgpu::Color {
        r: r.into(),
        g: g.into(),
        b: b.into(),
        a: a.into(),
    }
}

/// A headless egui wgpu render state on any adapter (lavapipe works); one line of error when there is none.
pub fn render_state() -> Result<RenderState> {
    let setup = egui_wgpu::WgpuSetup::without_display_handle();
    let instance = pollster::block_on(setup.new_instance());
    let config = egui_wgpu::WgpuConfiguration {
        wgpu_setup: setup,
        ..Default::default()
    };
    pollster::block_on(RenderState::create(
        &config,
        &instance,
        None,
        egui_wgpu::RendererOptions::default(),
    ))
    .map_err(|e| Error::input(format!("no GPU adapter for headless rendering ({e})")))
}
