"""GAN sampler: sample and steer a shipped DCGAN, train one live, see the adversarial loop."""

import json

import numpy as np
import streamlit as st

from playground import ui
from playground.core import datasets, jobs, keras_tools, runs, shipped_models
from playground.core.images import encode_png, outline, tile, tile_cell
from playground.figures import gan_plots, plots
from playground.lessons import gan

JOB_KEY = "gan_job"
RUNS_KEY = "gan_runs"  # RunRegistry; the newest run keeps its generator (result: generator, discriminator, settings)
SLIDER_DIMS = 8  # latent dimensions exposed as sliders
SHIPPED_LABEL = "Shipped DCGAN (Fashion-MNIST, conditional)"
DATASETS = {
    "Fashion-MNIST (70,000 clothes, offline)": lambda limit: datasets.load_fashion_mnist(limit_train=limit),
    "Shapes (generated, 1,200)": lambda limit: datasets.make_shapes(n_per_class=300),
    "Digits 8x8 (scikit-learn, 1,437)": lambda limit: datasets.load_digits(),
    "MNIST (downloads 11 MB)": lambda limit: datasets.load_mnist(limit_train=limit),
}


def shipped_pair():
    return ui.shipped_model("fashion_gan_generator"), ui.shipped_model("fashion_gan_discriminator")


@st.cache_data(show_spinner=False)
def shipped_info() -> dict:
    path = shipped_models.MODELS_DIR / "fashion_gan.json"
    return json.loads(path.read_text()) if path.exists() else {}


def fashion() -> datasets.Dataset:
    with st.spinner("Loading Fashion-MNIST…"):
        return datasets.load_fashion_mnist()


def training_data(name: str, limit: int) -> datasets.Dataset:
    with st.spinner("Loading the dataset…"):
        return DATASETS[name](limit)


ui.keep_keras_session()
info = shipped_info()
ui.page_header(
    "GAN sampler",
    "A generative adversarial network pits a **generator** (the counterfeiter, turning random noise into "
    "images) against a **discriminator** (the detective, telling real images from fakes); each improves by "
    "beating the other. Sample and steer a trained generator, train your own live, and watch the duel.",
    f"Shipped: a class-conditional DCGAN trained by `scripts/train_gan.py` on Fashion-MNIST for "
    f"{info.get('epochs', '?')} epochs ({info.get('minutes', '?')} min on 2 CPU cores); the shipped "
    f"Fashion-MNIST CNN recognises {info.get('recognition_rate', 0):.0%} of its samples as the class asked for "
    "(chance 10%). Train on MNIST (downloaded on first use) or your own settings in the Train tab.",
)
st.latex(
    r"\min_G \max_D \; \mathbb{E}_{x\sim p_\text{data}}\big[\log D(x)\big] + "
    r"\mathbb{E}_{z\sim\mathcal{N}(0,I)}\big[\log\big(1 - D(G(z))\big)\big]"
)
st.caption(
    "D(x) is the detective's probability that x is real. In practice (and here) the generator "
    'maximises log D(G(z)) instead — "make D say 1 for my fakes" — which gives stronger gradients early on.'
)

sample_tab, train_tab, understand_tab = st.tabs(["Sample & steer", "Train live", "Understand the duel"])

# --- which generator -------------------------------------------------------------------
gan_runs: runs.RunRegistry = st.session_state.setdefault(RUNS_KEY, runs.RunRegistry(keep_models=1))
finished_job = st.session_state.get(JOB_KEY)
finished = finished_job.snapshot() if finished_job is not None else None
if finished is not None and finished.result:  # a stopped run keeps its generator too
    gan_runs.collect(finished, model_of=lambda result: result["generator"])
trained = gan_runs.latest if gan_runs.latest is not None and gan_runs.latest.model is not None else None
choices = [SHIPPED_LABEL] + ([trained.label] if trained else [])

with sample_tab:
    top = st.columns([2, 1, 1, 1])
    source = top[0].selectbox("Generator", choices, index=len(choices) - 1, key="gan_source")
    if source == SHIPPED_LABEL:
        generator, _ = shipped_pair()
        class_names = datasets.FASHION_CLASSES
    else:
        generator, class_names = trained.model, trained.details["class_names"]
    classes = gan.num_classes_of(generator)
    latent_dim = gan.latent_dim_of(generator)
    seed = int(
        top[1].number_input("Seed", 0, 10**6, 0, key="gan_seed", help="Same seed, same noise vectors, same images.")
    )
    if classes:
        class_choice = top[2].selectbox("Class", ["All (one row each)"] + class_names, key="gan_class")
    else:
        class_choice = None
        top[2].caption("Unconditional model: no class to pick.")
    if classes and class_choice != "All (one row each)":
        cols, labels = 8, np.full(64, class_names.index(class_choice))
    elif classes:
        cols, labels = 8, np.repeat(np.arange(classes), 8)
    else:
        cols, labels = 8, None
    n = 64 if labels is None else len(labels)
    z_grid = gan.latents(n, latent_dim, seed)
    with ui.guard("Sampling"):
        images = gan.generate(generator, z_grid, labels)
        index_a = (
            int(
                top[3].number_input(
                    "Steer sample #",
                    1,
                    n,
                    1,
                    key="gan_a",
                    help="Counting left to right, top to bottom: framed in orange.",
                )
            )
            - 1
        )
        grid_col, steer_col = st.columns([3, 2])
        scale = 3
        canvas = tile(images, cols, pad=2, scale=scale)
        index_b = (
            int(
                steer_col.number_input(
                    "Interpolate towards sample #", 1, n, min(n, 12), key="gan_b", help="Framed in blue."
                )
            )
            - 1
        )
        for index, colour in ((index_a, (249, 115, 22)), (index_b, (59, 130, 246))):
            cell = tile_cell(index, cols, images.shape[1:3], pad=2, scale=scale)
            canvas = outline(canvas, *cell, colour, thickness=max(2, scale))
        with grid_col:
            st.image(
                canvas,
                caption=(
                    f"{n} samples, seed {seed}"
                    + (
                        f"; rows: {', '.join(class_names)}"
                        if classes and labels is not None and len(set(labels)) > 1
                        else ""
                    )
                ),
                width="stretch",
            )

        @st.fragment
        def steer() -> None:
            """Sliders on the first latent dimensions; only this part reruns as they move."""
            z = z_grid[index_a].copy()
            key = f"{source}_{seed}_{index_a}_{class_choice}"
            st.markdown(f"**Steer sample #{index_a + 1}**: move its first {SLIDER_DIMS} noise values")
            slider_cols = st.columns(2)
            for dim in range(min(SLIDER_DIMS, latent_dim)):
                z[dim] = slider_cols[dim % 2].slider(
                    f"z[{dim}]", -3.0, 3.0, float(round(z[dim], 2)), 0.05, key=f"gan_z{dim}_{key}"
                )
            label = None
            if classes:
                own = int(labels[index_a])
                other = st.selectbox(
                    "Blend its class with", class_names, index=(own + 1) % classes, key=f"gan_blend_class_{key}"
                )
                weight = st.slider(
                    "Blend",
                    0.0,
                    1.0,
                    0.0,
                    0.05,
                    key=f"gan_blend_{key}",
                    help="The class goes in as a one-hot vector, so it can be mixed too.",
                )
                label = (
                    gan.one_hot([own], classes) * (1 - weight)
                    + gan.one_hot([class_names.index(other)], classes) * weight
                )
            image = gan.generate(generator, z[None], label)
            st.image(
                tile(image, 1, scale=8),
                width=224,
                caption=f"|z| = {np.linalg.norm(z):.2f} (typical: √{latent_dim} ≈ {np.sqrt(latent_dim):.1f})",
            )

        with steer_col:
            steer()

        st.subheader("Walk from one sample to another")
        walk_cols = st.columns([1, 1, 4])
        steps = walk_cols[0].slider("Steps", 3, 16, 10, key="gan_steps")
        methods = walk_cols[1].multiselect("Paths", ["linear", "spherical"], ["linear", "spherical"], key="gan_methods")
        t = np.linspace(0, 1, steps)[:, None]
        path_labels = None
        if classes:
            path_labels = (1 - t) * gan.one_hot([labels[index_a]], classes) + t * gan.one_hot(
                [labels[index_b]], classes
            )
        norms = {}
        for method in methods:
            path = gan.interpolate(z_grid[index_a], z_grid[index_b], steps, method)
            norms[method] = (list(np.linspace(0, 1, steps)), list(np.linalg.norm(path, axis=1)))
            strip = tile(gan.generate(generator, path, path_labels), steps, pad=2, scale=3)
            walk_cols[2].image(strip, caption=f"{method}: sample #{index_a + 1} → #{index_b + 1}", width="stretch")
        if norms:
            st.plotly_chart(
                plots.curves(norms, title="Length of z along the path", x_title="t", y_title="|z|", height=260),
                config={"displayModeBar": False},
            )
        st.caption(
            f"Noise vectors from N(0, I) in {latent_dim} dimensions almost all have length close to "
            f"√{latent_dim} ≈ {np.sqrt(latent_dim):.1f}. A straight line between two of them sags towards "
            "the centre, where the generator saw few inputs; the spherical path (slerp) keeps the length."
        )
    st.info(
        "**Try this:** pick *Shirt* and steer z[0]-z[7]: which slider changes the sleeves, which the shade? "
        "Blend *Sneaker* into *Ankle boot*. Walk between two far-apart samples and compare the middle of "
        "the linear and spherical strips.",
        icon=":material/lightbulb:",
    )
    st.download_button(
        "Download this grid (PNG)",
        encode_png(tile(images, cols, scale=2)),
        file_name=f"gan_samples_seed{seed}.png",
        mime="image/png",
        key="gan_grid_png",
    )


# --- train -----------------------------------------------------------------------------


def live_view(snapshot: jobs.Snapshot) -> None:
    """Sample grid, curves with events marked, D's score histograms (inside the job panel)."""
    events = gan.diagnose(snapshot.series)
    for event in events:
        st.warning(f"At epoch {event.x:.2f}: {event.message}", icon=":material/warning:")
    marks = {event.kind: event.x for event in events}
    left, right = st.columns([2, 3])
    if "grid" in snapshot.images:
        left.image(
            snapshot.images["grid"],
            caption="The same 64 noise vectors, redrawn as the generator learns",
            width="stretch",
        )
    losses = {
        name: snapshot.series[key]
        for key, name in (("batch_d_loss", "D loss"), ("batch_g_loss", "G loss"))
        if key in snapshot.series
    }
    accuracy = {
        name: snapshot.series[key]
        for key, name in (
            ("batch_d_acc_real", "D right on real"),
            ("batch_d_acc_fake", "D right on fake"),
            ("diversity", "diversity (fakes / real)"),
        )
        if key in snapshot.series
    }
    with right:
        if losses:
            st.plotly_chart(
                plots.curves(losses, title="Losses (per batch)", x_title="epoch", height=260, vlines=marks),
                key="gan_live_losses",
                config={"displayModeBar": False},
            )
        if accuracy:
            st.plotly_chart(
                plots.curves(
                    accuracy,
                    title="Discriminator accuracy and sample diversity",
                    x_title="epoch",
                    height=260,
                    vlines=marks,
                ),
                key="gan_live_accuracy",
                config={"displayModeBar": False},
            )
    if "scores_real" in snapshot.info:
        left.plotly_chart(
            plots.histogram(
                {"real": snapshot.info["scores_real"], "fake": snapshot.info["scores_fake"]},
                bins=20,
                title="D's P(real) on a real batch vs fakes",
                x_title="D(x)",
                height=250,
            ),
            key="gan_live_hist",
            config={"displayModeBar": False},
        )


with train_tab:
    st.markdown(
        "Train a GAN from scratch in the background; the page stays usable. A healthy duel keeps "
        "the discriminator's accuracy between 50% and 90% on both real and fake images."
    )
    with st.form("gan_train_form"):
        row1 = st.columns(4)
        dataset_name = row1[0].selectbox("Dataset", list(DATASETS), key="gan_dataset")
        limit = int(
            row1[1].number_input(
                "Training images (max)",
                100,
                60_000,
                20_000,
                1000,
                key="gan_limit",
                help="Fewer images: shorter epochs.",
            )
        )
        conditional = row1[2].toggle("Class-conditional", True, key="gan_conditional")
        preset = row1[3].selectbox(
            "Architecture",
            list(gan.PRESETS),
            index=1,
            key="gan_preset",
            help="Base number of filters: tiny 32, small 64, medium 128.",
        )
        row2 = st.columns(4)
        latent = int(
            row2[0].number_input(
                "Latent size", 1, 1024, 64, key="gan_latent", help=f"{gan.LATENT_RANGE[0]}-{gan.LATENT_RANGE[1]}"
            )
        )
        batch = int(
            row2[1].number_input(
                "Batch size", 1, 4096, 64, key="gan_batch", help=f"{gan.BATCH_RANGE[0]}-{gan.BATCH_RANGE[1]}"
            )
        )
        epochs = int(row2[2].number_input("Epochs", 1, 100, 3, key="gan_epochs"))
        d_steps = row2[3].slider("D steps per G step", 1, 5, 1, key="gan_dsteps")
        row3 = st.columns(4)
        rates = [1e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 5e-3]
        g_lr = row3[0].select_slider("Generator learning rate", rates, 2e-4, key="gan_glr")
        d_lr = row3[1].select_slider("Discriminator learning rate", rates, 2e-4, key="gan_dlr")
        smoothing = row3[2].slider("Label smoothing (real target 1 − s)", 0.0, 0.3, 0.1, 0.05, key="gan_smooth")
        train_seed = int(row3[3].number_input("Seed", 0, 10**6, 0, key="gan_train_seed"))
        start = st.form_submit_button("Start training", icon=":material/play_arrow:", type="primary")
    if start:
        with ui.guard("Starting training"):
            data = training_data(dataset_name, limit)
            settings = gan.TrainSettings(
                latent, preset, conditional, g_lr, d_lr, batch, d_steps, smoothing, epochs, train_seed
            )
            gan.check_settings(settings, len(data.x_train))
            job = ui.start_job(JOB_KEY, gan.train, data.x_train, data.y_train, data.num_classes, settings, name="gan")
            gan_runs.start(
                job.id,
                f"Your generator (run #{job.id}, {dataset_name.split(' (')[0]})",
                settings,
                class_names=data.class_names,
            )
    snapshot = ui.job_panel(JOB_KEY, extra=live_view, x_title="epoch", run_every_s=1.0)
    if snapshot is not None and trained and trained.id == snapshot.job_id:
        st.success(
            f"Run #{snapshot.job_id}'s generator is ready in **Sample & steer** (pick it under *Generator*).",
            icon=":material/check_circle:",
        )
        if st.button("Prepare download", key="gan_prepare_download", icon=":material/download:"):
            st.session_state["gan_download"] = (snapshot.job_id, keras_tools.model_bytes(snapshot.result["generator"]))
        download = st.session_state.get("gan_download")
        if download and download[0] == snapshot.job_id:
            st.download_button(
                "Download generator (.keras)",
                download[1],
                file_name=f"gan_generator_{download[0]}.keras",
                mime="application/octet-stream",
                key="gan_download_button",
            )
            st.caption(
                "Load it with `keras.models.load_model(path)`; inputs: z (latent) and, if conditional, a "
                "one-hot class; output: images in [-1, 1]."
            )
    st.info(
        "**Try this:** train on Shapes with defaults (recognisable shapes within a minute or two). Then set the "
        "discriminator learning rate to 5e-3 and the generator's to 1e-5 and watch for divergence; or use "
        "5 D steps and no label smoothing. Turn off *Class-conditional* and look for mode collapse.",
        icon=":material/lightbulb:",
    )


# --- understand ------------------------------------------------------------------------

with understand_tab:
    st.markdown(
        "The course's loop, one round at a time:\n"
        "1. **Train the discriminator**: show it real images with target **1** and the generator's fakes with "
        "target **0**; update only D's weights.\n"
        "2. **Train the generator**: pass fresh fakes through the *frozen* discriminator with target **1** "
        '("these are real"); the error flows back through D into G, and only G\'s weights change.'
    )
    st.latex(
        r"L_D = -\tfrac12\Big[\log D(x) + \log\big(1 - D(G(z))\big)\Big] \qquad "
        r"L_G = -\log D(G(z))"
    )
    live = st.session_state.get(JOB_KEY)
    live_snapshot = live.snapshot() if live is not None else None
    if live_snapshot is not None and "batch_d_loss" in live_snapshot.series:
        numbers = [
            live_snapshot.last(k) for k in ("batch_d_loss", "batch_g_loss", "batch_d_acc_real", "batch_d_acc_fake")
        ]
        scores = (live_snapshot.info.get("scores_real"), live_snapshot.info.get("scores_fake"))
        where = f"your training run #{live_snapshot.job_id} ({live_snapshot.state}, last reported batch)"
    else:
        with ui.guard("Scoring"):
            generator, discriminator = shipped_pair()
            data = fashion()
            probe = np.random.default_rng(0).choice(len(data.x_test), 256, replace=False)
            pair = gan.evaluate_pair(generator, discriminator, data.x_test[probe], data.y_test[probe], seed=0)
            numbers = [pair.d_loss, pair.g_loss, pair.d_acc_real, pair.d_acc_fake]
            scores = (pair.scores_real, pair.scores_fake)
        where = "the shipped pair on 256 Fashion-MNIST test images and 256 fakes"
    diagram_col, hist_col = st.columns([1, 1])
    with diagram_col:
        st.graphviz_chart(gan_plots.loop_diagram(*numbers), width="stretch")
        st.caption(
            f"Numbers from {where}. At the ideal equilibrium D(x) = ½ everywhere: "
            "L_D = L_G = log 2 ≈ 0.693 and D is right half the time."
        )
    with hist_col:
        if scores[0] is not None:
            st.plotly_chart(
                plots.histogram(
                    {"real": scores[0], "fake": scores[1]},
                    bins=20,
                    title="What the detective thinks: D(x) = P(real)",
                    x_title="D(x)",
                    height=320,
                ),
                key="gan_understand_hist",
                config={"displayModeBar": False},
            )
            st.caption(
                "Two well-separated humps: D is winning. Overlapping humps around 0.5: the fakes are good "
                "enough that D can no longer tell."
            )
    st.info(
        "**Try this:** start a run in *Train live* and come back here while it runs: the diagram and "
        "histograms follow it. Early on the humps sit far apart; as the generator learns they merge.",
        icon=":material/lightbulb:",
    )
