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
    let mut renderer = rs.renderer.write();
    for (id, options) in TEXTURES {
        let image = ImageData::Color(ColorImage::filled([2, 2], Color32::WHITE).into());
        renderer.update_texture(&rs.device, &rs.queue, id, &ImageDelta::full(image, options));
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
    let target = rs.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("shader warm-up"),
        size: wgpu::Extent3d {
            width: SIDE,
            height: SIDE,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: rs.target_format,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
        view_formats: &[],
    });
    let view = target.create_view(&wgpu::TextureViewDescriptor::default());
    let mut encoder = rs.device.create_command_encoder(&Default::default());
    let user = renderer.update_buffers(&rs.device, &rs.queue, &mut encoder, &primitives, &screen);
    {
        let mut pass = encoder
            .begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("shader warm-up"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &view,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::WHITE),
                        store: wgpu::StoreOp::Store,
                    },
                    depth_slice: None,
                })],
                ..Default::default()
            })
            .forget_lifetime();
        renderer.render(&mut pass, &primitives, &screen);
    }
    let index = rs.queue.submit(user.into_iter().chain([encoder.finish()]));
    // A failed wait only means the compile happens in the first frame after all.
    let _ = rs.device.poll(wgpu::PollType::Wait {
        submission_index: Some(index),
        timeout: None,
    });
    for (id, _) in TEXTURES {
        renderer.free_texture(&id);
    }
}
