//! The GPU engine: `shaders/fit.wgsl` through wgpu, one invocation per start,
//! chunks of steps per submission, state kept on the device between chunks,
//! buffers pooled across runs. A batch of many problems (a sweep's maps) is
//! one dispatch and one read-back a chunk: every problem's constants in one
//! uniform block, every workgroup running starts of one of them. Large
//! batches are split into slices that fit the device's binding and dispatch
//! limits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytemuck::{Pod, Zeroable};

use super::fit::{CONVERGED, DIVERGED, FitState, Kernel, Kernels, RUNNING};
use super::submit_gate::SubmitGate;
use super::{BackendInfo, Endpoint, Engine, Run, Task};
use crate::defaults;
use crate::error::{Error, Result};
use crate::objective::{AlphaForm, Problem, Resolved};

/// Invocations per workgroup.
pub const WORKGROUP_SIZE: u32 = 64;
/// Most steps one dispatch runs. Lavapipe stops any invocation after 65535
/// loop iterations in all; a step costs at most MAX_CUTS + 13 (every cut in
/// q's reach) for KL(q||p), and for an alpha-divergence the cuts plus the
/// merged panels of every bump and q (and the scans over them, when not
/// unrolled), so longer advances are split. (The search for a workgroup's
/// problem, once a dispatch, takes at most 8 of the 535 to spare.) The
/// estimate falls short for the alpha kernel's panel loops: a run starts at
/// this size and halves it whenever the kernel marks a state [`CUT`].
pub const MAX_DISPATCH_STEPS: u32 = 65_000
    / (crate::quadrature::MAX_CUTS as u32
        + 2 * ((defaults::MAX_MODES as u32 + 1) * crate::quadrature::Z_EDGES.len() as u32)
        + 13);
const STATE_BYTES: u64 = std::mem::size_of::<FitState<f32>>() as u64;

/// The WGSL source of the fit kernel for targets of `mode_count` modes:
/// constants generated from [`crate::defaults`] and [`crate::quadrature`],
/// then `shaders/fit.wgsl`. The mode count is a constant so that the mode
/// loops unroll: lavapipe caps the loop iterations of one invocation (65535),
/// and unrolled loops do not count against it.
pub fn shader_source(mode_count: usize, alpha: bool) -> String {
    use crate::quadrature::{LEGENDRE_6, MAX_CUTS, Z_EDGES};
    let f = |x: f64| format!("{:?}", x as f32);
    let constants = [
        ("BETA1", f(defaults::ADAM_BETA1)),
        ("BETA2", f(defaults::ADAM_BETA2)),
        ("EPS", f(defaults::ADAM_EPS)),
        ("DECAY", f(defaults::ADAM_DECAY)),
        ("SIGMA_FLOOR", f(defaults::SIGMA_FLOOR)),
        ("CONVERGED_STEP", f(defaults::CONVERGED_STEP)),
        ("DIVERGED_BEYOND", f(defaults::DIVERGED_BEYOND)),
        ("INV_SQRT_2PI", f(super::fit::INV_SQRT_2PI)),
        ("LN_SQRT_2PI", f(super::fit::LN_SQRT_2PI)),
        ("BUMP_CUTOFF", f(crate::quadrature::BUMP_CUTOFF)),
        ("ALPHA_SUBTRACT_Q", f(crate::quadrature::ALPHA_SUBTRACT_Q)),
    ];
    let counts = [
        ("CONVERGED_PATIENCE", defaults::CONVERGED_PATIENCE as usize),
        ("MODE_COUNT", mode_count),
        ("PROBLEMS_PER_DISPATCH", problems_per_dispatch(mode_count)),
        ("MAX_MODES", defaults::MAX_MODES),
        ("MAX_CUTS", MAX_CUTS),
        ("WORKGROUP_SIZE", WORKGROUP_SIZE as usize),
        ("STATUS_RUNNING", RUNNING as usize),
        ("STATUS_CONVERGED", CONVERGED as usize),
        ("STATUS_DIVERGED", DIVERGED as usize),
        ("STATUS_CUT", CUT as usize),
        ("OBJECTIVE_INCLUSIVE", OBJECTIVE_INCLUSIVE as usize),
        ("OBJECTIVE_EXCLUSIVE", OBJECTIVE_EXCLUSIVE as usize),
        ("OBJECTIVE_AMARI", OBJECTIVE_AMARI as usize),
        ("OBJECTIVE_RENYI", OBJECTIVE_RENYI as usize),
        ("EDGE_COUNT", Z_EDGES.len()),
    ];
    let mut legendre = Vec::new();
    for (k, &(x, w)) in LEGENDRE_6.iter().enumerate() {
        legendre.push((format!("GL_NODE_{k}"), f(x)));
        legendre.push((format!("GL_WEIGHT_{k}"), f(w)));
    }
    let mut out = String::from(
        "// Generated from src/defaults.rs and src/quadrature.rs by engine::gpu::shader_source.\n",
    );
    for (name, value) in constants
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .chain(legendre)
    {
        out += &format!("const {name}: f32 = {value};\n");
    }
    for (name, value) in counts {
        out += &format!("const {name}: u32 = {value}u;\n");
    }
    // The alpha-divergence's code only in its own variant: compiled into
    // the KL kernels it slowed them twofold on llvmpipe.
    out += &format!("const ALPHA_KERNEL: bool = {alpha};\n");
    out + "\n" + include_str!("../../shaders/fit.wgsl")
}

/// `Params::objective` of KL(p||q) (and alpha = 1).
const OBJECTIVE_INCLUSIVE: u32 = 0;
/// `Params::objective` of KL(q||p) (and alpha = 0).
const OBJECTIVE_EXCLUSIVE: u32 = 1;
/// `Params::objective` of Amari's D_a, 0 < a < 1.
const OBJECTIVE_AMARI: u32 = 2;
/// `Params::objective` of the Renyi form R_a, 0 < a < 1.
const OBJECTIVE_RENYI: u32 = 3;

/// The kernel's uniform block (layout of `Params` in fit.wgsl): what every
/// problem of a dispatch shares.
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Params {
    z_edges: [[f32; 4]; 3],
    steps: u32,
    groups: u32,
    problem_count: u32,
    /// Workgroup k of the dispatch runs group (k * stride) mod groups (see [`spread`]).
    stride: u32,
    /// Always [`SENTINEL`]: the trip count of the kernel's check for a cut invocation.
    sentinel: u32,
    _pad: [u32; 3],
}

/// The trip count of the kernel's last loop, which reaches its second
/// iteration only if the driver did not cut the invocation short.
const SENTINEL: u32 = 2;
/// The status the kernel gives a start whose invocation the driver cut
/// short (lavapipe's limit of 65535 loop iterations an invocation): its
/// state is not to be trusted, and the chunk is run again.
const CUT: u32 = 3;

/// A stride coprime with `groups` near its share per problem: workgroups
/// the device runs side by side then belong to different problems, so the
/// slow starts of one problem (a value near a fold) are spread over the
/// device rather than left to the few workgroups that meet them together.
/// 1 (no reordering) for one problem, or where the product could overflow.
fn spread(groups: u32, problems: u32) -> u32 {
    if problems <= 1 || groups >= 1 << 16 {
        return 1;
    }
    let gcd = |mut a: u32, mut b: u32| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let mut stride = groups / problems + 1;
    while gcd(stride, groups) != 1 {
        stride += 1;
    }
    stride
}

/// Bytes of the uniform block of problems one dispatch reads: wgpu's
/// downlevel limit of a uniform binding, so every device takes it.
const PROBLEMS_BYTES: u64 = 16_384;

/// Problems one dispatch runs, for targets of `mode_count` modes: as many
/// blocks (a [`ProblemHead`] and a vec4 per mode) as [`PROBLEMS_BYTES`] holds.
pub fn problems_per_dispatch(mode_count: usize) -> usize {
    PROBLEMS_BYTES as usize / (std::mem::size_of::<ProblemHead>() + 16 * mode_count)
}

/// One problem of a dispatch (layout of `Problem` in fit.wgsl), before its modes.
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct ProblemHead {
    objective: u32,
    learn_sigma: u32,
    lr: f32,
    fixed_sigma: f32,
    mean: f32,
    variance: f32,
    alpha: f32,
    cut_first: u32,
    cut_count: u32,
    first: u32,
    count: u32,
    group_first: u32,
}

// The modes' vec4s follow the head: it must end on a 16-byte boundary.
const _: () = assert!(std::mem::size_of::<ProblemHead>().is_multiple_of(16));

impl ProblemHead {
    /// `kernel`'s head for its `count` starts at `first` in the slice's
    /// states, run by the workgroups from `group_first`, its cuts at `cut_first`.
    fn new(kernel: &Kernel<f32>, first: u32, count: u32, group_first: u32, cut_first: u32) -> Self {
        Self {
            objective: match kernel.resolved {
                Resolved::Inclusive => OBJECTIVE_INCLUSIVE,
                Resolved::Exclusive => OBJECTIVE_EXCLUSIVE,
                Resolved::Alpha {
                    form: AlphaForm::Amari,
                    ..
                } => OBJECTIVE_AMARI,
                Resolved::Alpha {
                    form: AlphaForm::Renyi,
                    ..
                } => OBJECTIVE_RENYI,
            },
            learn_sigma: u32::from(kernel.fixed_sigma.is_none()),
            lr: kernel.lr,
            fixed_sigma: kernel.fixed_sigma.unwrap_or(0.0),
            mean: kernel.mean,
            variance: kernel.variance,
            alpha: kernel.alpha,
            cut_first,
            cut_count: kernel.cuts.len() as u32,
            first,
            count,
            group_first,
        }
    }
}

/// One slice of a batch as the device holds it: its starts, the blocks of
/// the problems they belong to (heads and modes, as bytes), how many, and
/// those problems' cuts.
struct SliceData<'a> {
    states: &'a [FitState<f32>],
    blocks: Vec<u8>,
    problems: u32,
    cuts: Vec<[f32; 2]>,
    groups: u32,
}

impl<'a> SliceData<'a> {
    /// A slice with no starts yet, beginning where `states` (empty) does.
    fn empty(states: &'a [FitState<f32>]) -> Self {
        Self {
            states,
            blocks: Vec::new(),
            problems: 0,
            cuts: Vec::new(),
            groups: 0,
        }
    }
}

/// How much a slot holds: starts and cuts (every slot has room for a
/// dispatch's problems).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Capacity {
    starts: u64,
    cuts: u64,
}

impl Capacity {
    fn holds(&self, need: &Capacity) -> bool {
        self.starts >= need.starts && self.cuts >= need.cuts
    }
}

/// Buffers for one slice of a batch, kept in a pool and reused.
struct Slot {
    capacity: Capacity,
    params: wgpu::Buffer,
    states: wgpu::Buffer,
    running: wgpu::Buffer,
    cuts: wgpu::Buffer,
    problems: wgpu::Buffer,
    readback: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
}

struct Shared {
    device: wgpu::Device,
    queue: wgpu::Queue,
    layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    /// One pipeline per mode count, compiled on first use.
    pipelines: Mutex<HashMap<(usize, bool), wgpu::ComputePipeline>>,
    pool: Mutex<Vec<Slot>>,
    info: BackendInfo,
    /// The window's gate when the device is shared with one.
    gate: Option<SubmitGate>,
}

impl Shared {
    /// Submits `work` in one submission, through the gate if there is one;
    /// returns how long the gate held it.
    fn submit(&self, work: Vec<wgpu::CommandBuffer>) -> Duration {
        let submit = || {
            self.queue.submit(work);
        };
        match &self.gate {
            Some(gate) => gate.submit(submit).1,
            None => {
                submit();
                Duration::ZERO
            }
        }
    }
}

/// The wgpu engine. Cheap to clone; clones share the device and the buffer pool.
#[derive(Clone)]
pub struct GpuEngine {
    shared: Arc<Shared>,
    max_slice: u64,
}

impl GpuEngine {
    /// Opens the best adapter wgpu finds (high-performance preferred; a software
    /// one such as lavapipe otherwise). Errors when there is none.
    pub fn new() -> Result<Self> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        }))
        .map_err(|e| Error::runtime(format!("no GPU adapter found ({e})")))?;
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("kl-landscape"),
            required_limits: wgpu::Limits {
                max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
                max_buffer_size: limits.max_buffer_size,
                ..wgpu::Limits::downlevel_defaults()
            },
            ..Default::default()
        }))
        .map_err(|e| Error::runtime(format!("could not open the GPU device ({e})")))?;
        Ok(Self::from_device(device, queue, &adapter.get_info(), None))
    }

    /// Builds the engine on an existing device (the window shares eframe's,
    /// and passes the `gate` its submissions go through).
    pub fn from_device(
        device: wgpu::Device,
        queue: wgpu::Queue,
        adapter: &wgpu::AdapterInfo,
        gate: Option<SubmitGate>,
    ) -> Self {
        let entry = |binding: u32, ty: wgpu::BufferBindingType| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let storage = |read_only| wgpu::BufferBindingType::Storage { read_only };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("fit"),
            entries: &[
                entry(0, wgpu::BufferBindingType::Uniform),
                entry(1, storage(false)),
                entry(2, storage(false)),
                entry(3, storage(true)),
                entry(4, wgpu::BufferBindingType::Uniform),
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("fit"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let limits = device.limits();
        let by_binding = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size)
            / STATE_BYTES;
        let by_dispatch = u64::from(limits.max_compute_workgroups_per_dimension).pow(2)
            * u64::from(WORKGROUP_SIZE);
        let info = BackendInfo {
            kind: "gpu",
            adapter: format!(
                "{} ({:?}, {:?})",
                adapter.name, adapter.device_type, adapter.backend
            ),
        };
        Self {
            shared: Arc::new(Shared {
                device,
                queue,
                layout,
                pipeline_layout,
                pipelines: Mutex::new(HashMap::new()),
                pool: Mutex::new(Vec::new()),
                info,
                gate,
            }),
            max_slice: by_binding.min(by_dispatch).max(1),
        }
    }

    /// Most starts one slice (one buffer, one dispatch) holds on this device.
    pub fn max_slice(&self) -> u64 {
        self.max_slice
    }

    /// The same engine splitting batches into slices of at most `starts`
    /// (below the device's own limit): lets tests exercise the split path.
    pub fn with_max_slice(&self, starts: u64) -> Self {
        Self {
            shared: self.shared.clone(),
            max_slice: starts.clamp(1, self.max_slice),
        }
    }

    /// Compiles `source` as a compute shader on this device; the validation
    /// error (naga's, with line numbers) as text if it fails.
    pub fn validate_shader(&self, source: &str) -> Result<()> {
        self.compile(source, "fit", Some(&self.shared.pipeline_layout))
            .map(|_| ())
    }

    /// Compiles entry point `entry` of `source`, with `layout` or an automatic one.
    fn compile(
        &self,
        source: &str,
        entry: &str,
        layout: Option<&wgpu::PipelineLayout>,
    ) -> Result<wgpu::ComputePipeline> {
        let device = &self.shared.device;
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(entry),
            source: wgpu::ShaderSource::Wgsl(source.into()),
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(entry),
            layout,
            module: &module,
            entry_point: Some(entry),
            compilation_options: Default::default(),
            cache: None,
        });
        match pollster::block_on(scope.pop()) {
            None => Ok(pipeline),
            Some(e) => Err(Error::runtime(format!(
                "the {entry} kernel does not compile: {e}"
            ))),
        }
    }

    /// Runs a one-buffer probe kernel (`out: array<f32>` at binding 0) with
    /// `invocations` invocations of `entry` and reads `out` back.
    pub(crate) fn run_probe(
        &self,
        source: &str,
        entry: &str,
        invocations: u32,
    ) -> Result<Vec<f32>> {
        let device = &self.shared.device;
        let pipeline = self.compile(source, entry, None)?;
        let size = 4 * u64::from(invocations);
        let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC;
        let out = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(entry),
            size,
            usage,
            mapped_at_creation: false,
        });
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(entry),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(entry),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: out.as_entire_binding(),
            }],
        });
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(invocations.div_ceil(64), 1, 1);
        }
        encoder.copy_buffer_to_buffer(&out, 0, &readback, 0, size);
        self.shared.submit(vec![encoder.finish()]);
        readback.map_async(wgpu::MapMode::Read, .., |_| {});
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::runtime(format!("GPU wait failed: {e}")))?;
        let values = bytemuck::pod_collect_to_vec(
            &readback
                .get_mapped_range(..)
                .map_err(|e| Error::runtime(format!("GPU read-back failed: {e}")))?,
        );
        readback.unmap();
        Ok(values)
    }

    /// The fit pipeline for targets of `mode_count` modes, of an
    /// alpha-divergence or of the KLs (each compiled once).
    fn pipeline(&self, mode_count: usize, alpha: bool) -> Result<wgpu::ComputePipeline> {
        let mut pipelines = self
            .shared
            .pipelines
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(p) = pipelines.get(&(mode_count, alpha)) {
            return Ok(p.clone());
        }
        let pipeline = self.compile(
            &shader_source(mode_count, alpha),
            "fit",
            Some(&self.shared.pipeline_layout),
        )?;
        pipelines.insert((mode_count, alpha), pipeline.clone());
        Ok(pipeline)
    }

    /// Buffers for a slice of `need`: a pooled slot large enough, or new
    /// ones (an error, not a panic, when the device is out of memory).
    fn take_slot(&self, need: Capacity) -> Result<Slot> {
        let mut pool = self.shared.pool.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = pool.iter().position(|s| s.capacity.holds(&need)) {
            return Ok(pool.swap_remove(i));
        }
        drop(pool);
        let device = &self.shared.device;
        let capacity = Capacity {
            starts: need
                .starts
                .next_power_of_two()
                .min(self.max_slice)
                .max(need.starts),
            // A binding is never empty: room for one cut at least.
            cuts: need.cuts.max(1).next_power_of_two(),
        };
        let scope = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let buffer = |label: &str, size: u64, usage: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage,
                mapped_at_creation: false,
            })
        };
        use wgpu::BufferUsages as U;
        let params = buffer(
            "params",
            std::mem::size_of::<Params>() as u64,
            U::UNIFORM | U::COPY_DST,
        );
        let states = buffer(
            "states",
            capacity.starts * STATE_BYTES,
            U::STORAGE | U::COPY_DST | U::COPY_SRC,
        );
        let running = buffer("running", 4, U::STORAGE | U::COPY_DST | U::COPY_SRC);
        let cuts = buffer("cuts", 8 * capacity.cuts, U::STORAGE | U::COPY_DST);
        let problems = buffer("problems", PROBLEMS_BYTES, U::UNIFORM | U::COPY_DST);
        let readback = buffer(
            "readback",
            capacity.starts * STATE_BYTES + 4,
            U::MAP_READ | U::COPY_DST,
        );
        let resources = [&params, &states, &running, &cuts, &problems];
        let entries: Vec<wgpu::BindGroupEntry> = resources
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: b.as_entire_binding(),
            })
            .collect();
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("fit"),
            layout: &self.shared.layout,
            entries: &entries,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(Error::runtime(format!(
                "the GPU has no room for {} starts ({} MiB of buffers): {e}",
                need.starts,
                (2 * capacity.starts * STATE_BYTES) >> 20
            )));
        }
        Ok(Slot {
            capacity,
            params,
            states,
            running,
            cuts,
            problems,
            readback,
            bind_group,
        })
    }

    /// Cuts a launch's `states` (its tasks' starts, task after task, as
    /// `kernels` lays them out) into slices within the device's limits:
    /// at most [`GpuEngine::max_slice`] starts, as many workgroups as one
    /// dispatch takes, [`problems_per_dispatch`] problems and as many cuts
    /// as one binding holds. Each task starts on a workgroup of its own.
    fn slices<'a>(
        &self,
        kernels: &Kernels<f32>,
        states: &'a [FitState<f32>],
    ) -> Vec<SliceData<'a>> {
        let limits = self.shared.device.limits();
        let binding = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        let max_groups = u64::from(limits.max_compute_workgroups_per_dimension).pow(2);
        let max_blocks = kernels
            .kernels
            .first()
            .map_or(1, |k| problems_per_dispatch(k.modes.len()));
        let max_cuts = binding / 8;
        let group = u64::from(WORKGROUP_SIZE);
        let mut out = Vec::new();
        let mut slice = SliceData::empty(&states[..0]);
        let mut begin = 0;
        for (kernel, span) in kernels.spans() {
            let (mut a, end) = (span.start, span.end);
            while a < end {
                let len = slice.states.len() as u64;
                let room = (self.max_slice - len)
                    .min((max_groups - u64::from(slice.groups)) * group)
                    .min((end - a) as u64);
                if room == 0
                    || slice.problems as usize == max_blocks
                    || (slice.cuts.len() + kernel.cuts.len()) as u64 > max_cuts
                {
                    begin += slice.states.len();
                    out.push(std::mem::replace(
                        &mut slice,
                        SliceData::empty(&states[begin..begin]),
                    ));
                    continue;
                }
                let head = ProblemHead::new(
                    kernel,
                    len as u32,
                    room as u32,
                    slice.groups,
                    slice.cuts.len() as u32,
                );
                slice.blocks.extend_from_slice(bytemuck::bytes_of(&head));
                slice
                    .blocks
                    .extend_from_slice(bytemuck::cast_slice(&kernel.modes));
                slice.problems += 1;
                slice.cuts.extend_from_slice(&kernel.cuts);
                slice.groups += room.div_ceil(group) as u32;
                slice.states = &states[begin..begin + (len + room) as usize];
                a += room as usize;
            }
        }
        if !slice.states.is_empty() {
            out.push(slice);
        }
        out
    }

    /// Starts a batch from arbitrary states (Adam moments included), each
    /// task's in the frame of its [`Kernel::centred`], so tests can put the
    /// kernel and its CPU twin on the same random input: `tasks` are
    /// [(problem, lr, states)], all of one mode count (one kernel variant).
    pub fn launch_states(&self, tasks: &[(&Problem, f64, &[FitState<f32>])]) -> Result<GpuRun> {
        let kernels = Kernels::new(
            tasks
                .iter()
                .map(|&(problem, lr, states)| (Kernel::centred(problem, lr), states.len())),
        );
        let states = tasks.iter().flat_map(|t| t.2.iter().copied()).collect();
        self.start(kernels, states)
    }

    /// Uploads a batch whose tasks share one kernel variant (an error otherwise).
    fn start(&self, kernels: Kernels<f32>, states: Vec<FitState<f32>>) -> Result<GpuRun> {
        let Some((modes, alpha)) = variant(&kernels) else {
            return Err(Error::runtime(
                "one GPU batch runs one mode count: its tasks differ",
            ));
        };
        let mut z_edges = [[0.0; 4]; 3];
        for (i, &z) in crate::quadrature::Z_EDGES.iter().enumerate() {
            z_edges[i / 4][i % 4] = z as f32;
        }
        let mut slices = Vec::new();
        for data in self.slices(&kernels, &states) {
            let slot = self.take_slot(Capacity {
                starts: data.states.len() as u64,
                cuts: data.cuts.len() as u64,
            })?;
            let queue = &self.shared.queue;
            queue.write_buffer(&slot.states, 0, bytemuck::cast_slice(data.states));
            queue.write_buffer(&slot.problems, 0, &data.blocks);
            if !data.cuts.is_empty() {
                queue.write_buffer(&slot.cuts, 0, bytemuck::cast_slice(&data.cuts));
            }
            let params = Params {
                z_edges,
                steps: 0,
                groups: data.groups,
                problem_count: data.problems,
                stride: spread(data.groups, data.problems),
                sentinel: SENTINEL,
                _pad: [0; 3],
            };
            slices.push(Live {
                slot,
                params,
                starts: data.states.len() as u64,
            });
        }
        Ok(GpuRun {
            engine: self.clone(),
            pipeline: self.pipeline(modes, alpha)?,
            slices,
            waited: Duration::ZERO,
            latest: states,
            kernels,
            dispatch_steps: MAX_DISPATCH_STEPS,
        })
    }
}

/// The kernel variant every task of `kernels` runs in: their common mode
/// count, and whether any is an alpha-divergence (its variant also runs the
/// KLs); None when the mode counts differ or there is no task.
fn variant(kernels: &Kernels<f32>) -> Option<(usize, bool)> {
    let modes = kernels.kernels.first()?.modes.len();
    kernels
        .kernels
        .iter()
        .all(|k| k.modes.len() == modes)
        .then(|| {
            let alpha = kernels
                .kernels
                .iter()
                .any(|k| matches!(k.resolved, Resolved::Alpha { .. }));
            (modes, alpha)
        })
}

impl Engine for GpuEngine {
    fn info(&self) -> BackendInfo {
        self.shared.info.clone()
    }

    fn launch(&self, problem: &Problem, starts: &[[f64; 2]], lr: f64) -> Result<Box<dyn Run>> {
        super::launch_one(self, problem, starts, lr)
    }

    fn launch_many(&self, tasks: &[Task]) -> Result<Box<dyn Run>> {
        let (kernels, states) = Kernels::launch(tasks);
        if variant(&kernels).is_none() {
            // One pipeline serves one mode count: such tasks run side by side.
            return super::side_by_side(self, tasks);
        }
        Ok(Box::new(self.start(kernels, states)?))
    }

    fn submit_gate(&self) -> Option<SubmitGate> {
        self.shared.gate.clone()
    }

    fn prepare(&self, mode_count: usize) -> Result<()> {
        self.pipeline(mode_count, false).map(drop)
    }

    fn declines(&self, problem: &Problem) -> Option<String> {
        beyond_f32(problem).or_else(|| alpha_beyond_f32(problem))
    }
}

/// Why f32 cannot resolve `problem`, or None: the farthest mode from the
/// engines' centre ([`Kernel::centred`]) must lie where f32's spacing is at
/// most [`defaults::GPU_MAX_SPACING_STEPS`] stillness steps, and the held
/// sigma and the widest mode where it is at most
/// [`defaults::GPU_MAX_WIDTH_SPACING_STEPS`] (see there for the
/// measurements). Narrow and light modes need no rule: the f32 kernel
/// resolves a spike of std 0.001 and of weight 1e-30 beside a mode of std 1
/// (labels equal to the CPU's on lavapipe).
pub fn beyond_f32(problem: &Problem) -> Option<String> {
    let centre = problem.target.centre();
    let modes = problem.target.modes();
    let farthest = modes
        .iter()
        .map(|m| (m.mean - centre).abs())
        .fold(0.0, f64::max);
    let step = defaults::CONVERGED_STEP;
    let spacing = |x: f64| f64::from(f32_spacing(x as f32));
    if spacing(farthest) > defaults::GPU_MAX_SPACING_STEPS * step {
        return Some(format!(
            "its modes lie up to {farthest} from their centre, where f32 values are {:.1e} apart: too coarse for the {step:e} convergence step",
            spacing(farthest)
        ));
    }
    let (what, width) = width(problem);
    (spacing(width) > defaults::GPU_MAX_WIDTH_SPACING_STEPS * step).then(|| {
        format!(
            "{what} reaches {}, where f32 values are {:.1e} apart: too coarse for the {step:e} convergence step",
            crate::number::readable(width),
            spacing(width)
        )
    })
}

/// The problem's widest scale, and what it is: the held sigma where that
/// exceeds every mode's std, else the widest mode's std.
fn width(problem: &Problem) -> (&'static str, f64) {
    let widest = problem
        .target
        .modes()
        .iter()
        .map(|m| m.std)
        .fold(0.0, f64::max);
    match problem.family.fixed_sigma() {
        Some(sigma) if sigma > widest => ("the held sigma", sigma),
        _ => ("its widest mode's std", widest),
    }
}

/// Why f32 cannot follow `problem`'s alpha-divergence, or None: an order a
/// below [`defaults::GPU_MIN_ALPHA`], raised by the width's square beyond
/// [`defaults::GPU_MIN_ALPHA_WIDTH`] (the gradient is O(a) of an O(1)
/// integrand; see there for the measurements).
pub fn alpha_beyond_f32(problem: &Problem) -> Option<String> {
    let Resolved::Alpha { a, .. } = problem.objective.resolved() else {
        return None;
    };
    let (what, width) = width(problem);
    let least = defaults::GPU_MIN_ALPHA * (width / defaults::GPU_MIN_ALPHA_WIDTH).max(1.0).powi(2);
    (a < least).then(|| {
        format!(
            "its alpha-divergence of order {} is below {}, the bound where {what} is {}: f32 cannot resolve its gradient",
            crate::number::readable(a),
            crate::number::readable(least),
            crate::number::readable(width)
        )
    })
}

/// The gap from `x` (>= 0) to the next larger f32.
fn f32_spacing(x: f32) -> f32 {
    f32::from_bits(x.to_bits() + 1) - x
}

/// A slice of a batch on the device: its buffers, its uniform block and its starts.
struct Live {
    slot: Slot,
    params: Params,
    starts: u64,
}

/// A batch on the GPU: its slices' buffers return to the pool when dropped.
pub struct GpuRun {
    engine: GpuEngine,
    /// Each task's kernel constants, whose frame its endpoints leave through.
    kernels: Kernels<f32>,
    pipeline: wgpu::ComputePipeline,
    slices: Vec<Live>,
    /// Time `advance` spent waiting for the gate since `waited` was asked.
    waited: Duration,
    /// Every start's state after the last advance, in launch order.
    latest: Vec<FitState<f32>>,
    /// Most steps one dispatch runs: [`MAX_DISPATCH_STEPS`], halved each
    /// time the driver cut an invocation short ([`CUT`]).
    dispatch_steps: u32,
}

impl GpuRun {
    /// Submits `before`, then copies each slice's running counter and states
    /// to its readback buffer, in one submission (a shared device's gate
    /// lets one through a frame), and returns how long the gate held the
    /// submission and, unless the driver cut an invocation short ([`CUT`],
    /// when `latest` is left as it was), how many still run, the states
    /// read into `latest`.
    fn read(&mut self, before: Option<wgpu::CommandBuffer>) -> Result<(Option<usize>, Duration)> {
        let shared = &self.engine.shared;
        let mut encoder = shared.device.create_command_encoder(&Default::default());
        let size = |l: &Live| 4 + l.starts * STATE_BYTES;
        for l in &self.slices {
            encoder.copy_buffer_to_buffer(&l.slot.running, 0, &l.slot.readback, 0, 4);
            encoder.copy_buffer_to_buffer(&l.slot.states, 0, &l.slot.readback, 4, size(l) - 4);
        }
        let waited = shared.submit(before.into_iter().chain([encoder.finish()]).collect());
        for l in &self.slices {
            l.slot
                .readback
                .map_async(wgpu::MapMode::Read, ..size(l), |_| {});
        }
        shared
            .device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::runtime(format!("GPU wait failed: {e}")))?;
        let mut ranges = Vec::with_capacity(self.slices.len());
        for l in &self.slices {
            ranges.push(
                l.slot
                    .readback
                    .get_mapped_range(..size(l))
                    .map_err(|e| Error::runtime(format!("GPU read-back failed: {e}")))?,
            );
        }
        // A state's status is its last 4 bytes.
        let cut = ranges.iter().any(|bytes| {
            bytes[4..]
                .chunks_exact(STATE_BYTES as usize)
                .any(|state| state[state.len() - 4..] == CUT.to_le_bytes())
        });
        let mut running = 0;
        let mut at = 0;
        for (l, bytes) in self.slices.iter().zip(&ranges) {
            running += u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
            let n = l.starts as usize;
            if !cut {
                bytemuck::cast_slice_mut::<FitState<f32>, u8>(&mut self.latest[at..at + n])
                    .copy_from_slice(&bytes[4..]);
            }
            at += n;
        }
        drop(ranges);
        for l in &self.slices {
            l.slot.readback.unmap();
        }
        Ok(((!cut).then_some(running), waited))
    }

    /// Runs `steps` steps in dispatches of at most `dispatch_steps` and
    /// reads the states back ([`Self::read`]).
    fn dispatch(&mut self, steps: u32) -> Result<Option<usize>> {
        let shared = &self.engine.shared;
        let max = shared.device.limits().max_compute_workgroups_per_dimension;
        let mut left = steps;
        // The last dispatch goes in one submission with the read-back.
        let mut last = None;
        while left > 0 {
            let n = left.min(self.dispatch_steps);
            left -= n;
            // Dispatches of different steps each need their own submission,
            // before the next one's parameters are written.
            if let Some(earlier) = last.take() {
                self.waited += shared.submit(vec![earlier]);
            }
            let mut encoder = shared.device.create_command_encoder(&Default::default());
            for l in &mut self.slices {
                l.params.steps = n;
                shared
                    .queue
                    .write_buffer(&l.slot.params, 0, bytemuck::bytes_of(&l.params));
                shared.queue.write_buffer(&l.slot.running, 0, &[0; 4]);
                let groups = l.params.groups;
                let (x, y) = if groups <= max {
                    (groups, 1)
                } else {
                    (max, groups.div_ceil(max))
                };
                let mut pass = encoder.begin_compute_pass(&Default::default());
                pass.set_pipeline(&self.pipeline);
                pass.set_bind_group(0, &l.slot.bind_group, &[]);
                pass.dispatch_workgroups(x, y, 1);
            }
            // Each slice has its own params buffer, so one submission covers all slices.
            last = Some(encoder.finish());
        }
        let (running, waited) = self.read(last)?;
        self.waited += waited;
        Ok(running)
    }
}

impl Run for GpuRun {
    fn advance(&mut self, steps: u32) -> Result<usize> {
        loop {
            if let Some(running) = self.dispatch(steps)? {
                return Ok(running);
            }
            // The driver cut an invocation short: the states go back to
            // where the chunk began, and it runs again in dispatches of half
            // as many steps.
            if self.dispatch_steps == 1 {
                return Err(Error::runtime(
                    "the GPU driver ends a shader after a fixed number of loop iterations, fewer than one step of this problem takes; use --backend cpu",
                ));
            }
            self.dispatch_steps /= 2;
            let mut at = 0;
            for l in &self.slices {
                let n = l.starts as usize;
                self.engine.shared.queue.write_buffer(
                    &l.slot.states,
                    0,
                    bytemuck::cast_slice(&self.latest[at..at + n]),
                );
                at += n;
            }
        }
    }

    fn endpoints(&mut self) -> Result<Vec<Endpoint>> {
        Ok(self.kernels.endpoints(&self.latest))
    }

    fn waited(&mut self) -> Duration {
        std::mem::take(&mut self.waited)
    }
}

impl GpuRun {
    /// Every start's full state (Adam moments included), as read back from
    /// the device with the last advance (as launched before any).
    pub fn states(&self) -> &[FitState<f32>] {
        &self.latest
    }
}

impl Drop for GpuRun {
    fn drop(&mut self) {
        let mut pool = self
            .engine
            .shared
            .pool
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        pool.extend(self.slices.drain(..).map(|l| l.slot));
    }
}

#[cfg(test)]
mod spread_tests {
    #[test]
    fn the_spread_of_workgroups_is_a_permutation() {
        for (groups, problems) in [
            (1, 1),
            (128, 1),
            (3904, 61),
            (7808, 61),
            (4096, 64),
            (97, 5),
        ] {
            let stride = super::spread(groups, problems);
            let mut seen = vec![false; groups as usize];
            for k in 0..groups {
                seen[((k * stride) % groups) as usize] = true;
            }
            assert!(seen.iter().all(|&s| s), "{groups} groups, stride {stride}");
            assert!(problems > 1 || stride == 1);
        }
    }
}
