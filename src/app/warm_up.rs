//! Compiles the window's shader variants before its first frame. A software
//! adapter (llvmpipe) compiles a variant of egui's fragment shader the first
//! time a draw samples a kind of texture (the font atlas filters linearly,
//! the maps take nearest texels). Drawing one quad of each kind offscreen
//! first moves that compile to before the window shows: the first frame gap
//! went from 53-59 ms to 42-50 ms.

use eframe::egui::epaint::{ClippedPrimitive, Primitive};
use eframe::egui::{
    Color32, ColorImage, ImageData, Mesh, Rect, TextureId, TextureOptions, epaint::ImageDelta, pos2,
};
use eframe::egui_wgpu::{RenderState, ScreenDescriptor, wgpu};

use super::headless::{WAIT, draw_offscreen};

/// Side of the offscreen target, in pixels.
const SIDE: u32 = 8;

/// The textures drawn, one of each kind the window samples, at ids far from
/// those egui_wgpu hands out (from 0 up); freed again afterwards.
pub const TEXTURES: [(TextureId, TextureOptions); 2] = [
    (TextureId::User(u64::MAX), TextureOptions::LINEAR),
    (TextureId::User(u64::MAX - 1), TextureOptions::NEAREST),
];

/// Draws a quad sampling a linear and a nearest texture into a small
/// offscreen target of the window's format and waits for it.
pub fn warm_up(rs: &RenderState) {
    for (id, options) in TEXTURES {
        let image = ImageData::Color(ColorImage::filled([2, 2], Color32::WHITE).into());
        let delta = ImageDelta::full(image, options);
        rs.renderer
            .write()
            .update_texture(&rs.device, &rs.queue, id, &delta);
    }
    let whole = Rect::from_min_max(pos2(0.0, 0.0), pos2(SIDE as f32, SIDE as f32));
    let primitives: Vec<ClippedPrimitive> = TEXTURES
        .iter()
        .map(|&(id, _)| {
            let mut mesh = Mesh::with_texture(id);
            mesh.add_rect_with_uv(
                whole,
                Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                Color32::WHITE,
            );
            ClippedPrimitive {
                clip_rect: whole,
                primitive: Primitive::Mesh(mesh),
            }
        })
        .collect();
    let screen = ScreenDescriptor {
        size_in_pixels: [SIDE, SIDE],
        pixels_per_point: 1.0,
    };
    let mut encoder = rs.device.create_command_encoder(&Default::default());
    let (_target, user) = draw_offscreen(rs, &primitives, &screen, &mut encoder);
    let index = rs.queue.submit(user.into_iter().chain([encoder.finish()]));
    // A failed wait only means the compile happens in the first frame after all.
    let _ = rs.device.poll(wgpu::PollType::Wait {
        submission_index: Some(index),
        timeout: Some(WAIT),
    });
    for (id, _) in TEXTURES {
        rs.renderer.write().free_texture(&id);
    }
}
