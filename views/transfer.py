"""Transfer learning & fine-tuning: teach a pretrained network your own classes, Teachable-Machine style."""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground import ui
from playground.core import datasets, images, keras_tools, runs
from playground.figures import plots, transfer_plots
from playground.lessons import explain, transfer

JOB_KEY = "tl_job"
CLASSES_KEY = "tl_classes"  # list of {"id", "name", "files": [(file name, PNG bytes)]}
RUNS_KEY = "tl_runs"  # RunRegistry; the newest run keeps its model and TransferResult
THUMBS_SHOWN = 24

ui.keep_keras_session()
ui.page_header(
    "Transfer learning & fine-tuning",
    "Teach a network that already knows how to see a few classes of your own: a handful of photos per class "
    "is enough, because the pretrained backbone's features do most of the work. Train the new head on frozen "
    "features in seconds, then fine-tune the top layers, and compare with the same network trained from scratch.",
    "Default: the offline backbone shipped in assets/models (trained by scripts/train_backbone.py) on a built-in "
    "task of 4 Fashion-MNIST classes × 24 images. MobileNetV2, EfficientNetB0 and ResNet50 load ImageNet weights "
    "through keras.applications when online (cached in ~/.keras/models).",
)
ui.device_badge()

with st.expander("The concept: reuse features, train a new head, then fine-tune", icon=":material/school:"):
    left, right = st.columns(2)
    with left:
        st.markdown(
            "**Phase 1 — feature extraction.** The backbone $\\phi_\\theta$ (all layers up to the last "
            "convolution) is frozen; only a new softmax head $(W, b)$ for your $K$ classes is trained:"
        )
        st.latex(
            r"p(y \mid x) = \mathrm{softmax}\big(W\,\mathrm{GAP}(\phi_\theta(x)) + b\big), \qquad "
            r"\min_{W,b}\; -\frac{1}{N}\sum_i \log p(y_i \mid x_i)"
        )
        st.markdown(
            "Since $\\theta$ does not change, $\\mathrm{GAP}(\\phi_\\theta(x_i))$ is computed **once** per "
            "image and cached: each epoch is then a tiny logistic regression."
        )
    with right:
        st.markdown(
            "**Phase 2 — fine-tuning.** Unfreeze the top $N$ layers $\\theta_{top}$ and keep training "
            "everything trainable with a much smaller learning rate, so the pretrained features are "
            "adjusted rather than destroyed:"
        )
        st.latex(
            r"\theta_{top} \leftarrow \theta_{top} - \eta_2 \nabla_{\theta_{top}}\mathcal{L}, \qquad "
            r"\eta_2 \approx \eta_1 / 10"
        )
        st.markdown(
            "Course recipe (Coursera week 2, SuperDataScience part 6): little data → freeze all and train "
            "the softmax only; more data → unfreeze more top layers; lots of data → retrain the whole "
            "network, using the pretrained weights as initialisation. Batch-norm layers stay frozen."
        )


# --- cached resources ----------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading the backbone (ImageNet weights download once)…", max_entries=2)
def cached_backbone(label: str) -> tuple[transfer.Backbone, str]:
    return transfer.load_backbone_or_fallback(label)


@st.cache_data(show_spinner="Preparing the example task…", max_entries=1)
def cached_example() -> dict[str, list[tuple[str, bytes]]]:
    return transfer.example_task()


@st.cache_data(show_spinner=False, max_entries=64)
def contact_sheet(files: list[tuple[str, bytes]]) -> np.ndarray:
    return transfer.contact_sheet(files, side=56, cols=12)


def transfer_runs() -> runs.RunRegistry:
    return st.session_state.setdefault(RUNS_KEY, runs.RunRegistry(keep_models=1))


def last_result() -> transfer.TransferResult | None:
    """The newest finished run's result; a run that failed or was stopped leaves it in place."""
    latest = transfer_runs().latest
    return latest.result if latest else None


@st.cache_data(show_spinner="Projecting the features…", max_entries=8)
def cached_embedding(run_id: int, which: str, method: str, _features: np.ndarray) -> np.ndarray:
    return transfer.embed_2d(_features, method)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_explanation(
    run_id: int, image: np.ndarray, class_index: int | None, _model
) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities (K,), Grad-CAM (S, S)) of run ``run_id``'s model for one prepared image."""
    import keras

    probabilities = keras.ops.convert_to_numpy(_model(image[None], training=False))[0]
    heat, _ = explain.grad_cam(_model, image, class_index)
    return probabilities, heat


def new_class(name: str, files: list | None = None) -> dict:
    # Widget keys hang on the id, so it must stay unique within the session across reruns.
    st.session_state["tl_next_id"] = st.session_state.get("tl_next_id", 0) + 1
    return {"id": st.session_state["tl_next_id"], "name": name, "files": list(files or [])}


def load_example() -> None:
    st.session_state[CLASSES_KEY] = [new_class(name, files) for name, files in cached_example().items()]


def report_added(added: transfer.AddedImages, where: str) -> None:
    """Remember what happened to an upload so the message survives the rerun."""
    notes = [f"Added {len(added.files)} image(s) to {where}."]
    if added.downscaled:
        notes.append(f"{added.downscaled} large image(s) were downscaled to at most {transfer.STORED_MAX_SIDE} px.")
    if added.skipped:
        notes.append(f"Skipped {len(added.skipped)} file(s): " + " ".join(added.skipped))
    st.session_state["tl_upload_note"] = (" ".join(notes), bool(added.skipped))


if CLASSES_KEY not in st.session_state:
    load_example()
classes: list[dict] = st.session_state[CLASSES_KEY]

tab_classes, tab_train, tab_why = st.tabs(
    [
        ":material/folder_open: 1 · Classes",
        ":material/model_training: 2 · Train",
        ":material/visibility: 3 · Try it & see why",
    ]
)

# --- classes -------------------------------------------------------------------------------
with tab_classes:
    st.markdown(
        f"Name **{transfer.MIN_CLASSES}–{transfer.MAX_CLASSES} classes** and give each a few images "
        "(10–30 is plenty): upload many at once, take camera snapshots, or bring a zip with one folder "
        "per class. The example task is 4 Fashion-MNIST classes (sandals, sneakers, ankle boots, bags)."
    )
    top = st.columns([1, 1, 1, 1])
    if top[0].button("Load the example task", icon=":material/restart_alt:", key="tl_example"):
        load_example()
        st.rerun()
    if top[1].button("Start empty (2 classes)", icon=":material/delete_sweep:", key="tl_empty"):
        st.session_state[CLASSES_KEY] = [new_class("Class 1"), new_class("Class 2")]
        st.rerun()
    if top[2].button(
        "Add a class", icon=":material/add:", key="tl_add_class", disabled=len(classes) >= transfer.MAX_CLASSES
    ):
        classes.append(new_class(f"Class {len(classes) + 1}"))
        st.rerun()
    note = st.session_state.pop("tl_upload_note", None)
    if note:
        (st.warning if note[1] else st.success)(note[0], icon=":material/info:")

    for entry in classes:
        cid = entry["id"]
        with st.container(border=True):
            left, right = st.columns([1, 3])
            entry["name"] = left.text_input("Class name", entry["name"], key=f"tl_name_{cid}", max_chars=40)
            left.markdown(f"**{len(entry['files'])}** image(s)")
            if left.button("Delete class", key=f"tl_del_{cid}", icon=":material/delete:"):
                classes.remove(entry)
                st.rerun()
            with right:
                uploads = st.file_uploader(
                    f"Add images to '{entry['name']}' (many at once)",
                    type=images.UPLOAD_TYPES,
                    accept_multiple_files=True,
                    key=f"tl_up_{cid}_{st.session_state.get(f'tl_upn_{cid}', 0)}",
                )
                if uploads:
                    added = transfer.prepare_uploads([(f.name, f.getvalue()) for f in uploads])
                    entry["files"].extend(added.files)
                    report_added(added, f"'{entry['name']}'")
                    st.session_state[f"tl_upn_{cid}"] = st.session_state.get(f"tl_upn_{cid}", 0) + 1  # clears it
                    st.rerun()
                if entry["files"]:
                    shown = entry["files"][-THUMBS_SHOWN:]
                    st.image(
                        contact_sheet(shown),
                        caption=None
                        if len(shown) == len(entry["files"])
                        else f"The last {THUMBS_SHOWN} of {len(entry['files'])}.",
                    )
                    pick, go_remove = st.columns([4, 1], vertical_alignment="bottom")
                    remove = pick.multiselect(
                        "Remove images",
                        [name for name, _ in entry["files"]],
                        key=f"tl_rm_{cid}",
                        placeholder="pick images to remove",
                    )
                    if go_remove.button("Remove", key=f"tl_rm_go_{cid}", icon=":material/remove:", disabled=not remove):
                        entry["files"] = [f for f in entry["files"] if f[0] not in set(remove)]
                        st.session_state.pop(f"tl_rm_{cid}", None)
                        st.rerun()
                else:
                    st.caption("No images yet.")

    extra_left, extra_right = st.columns(2)
    with extra_left, st.container(border=True):
        st.markdown("**Camera snapshots**")
        if classes:
            target = st.selectbox(
                "Add the snapshot to",
                range(len(classes)),
                key="tl_cam_class",
                format_func=lambda i: classes[i]["name"] or f"class {i + 1}",
            )
            shot = st.camera_input("Snapshot", key=f"tl_cam_{st.session_state.get('tl_camn', 0)}")
            if shot is not None and target is not None:
                added = transfer.prepare_uploads(
                    [(f"snapshot_{len(classes[target]['files']) + 1}.png", shot.getvalue())]
                )
                classes[target]["files"].extend(added.files)
                report_added(added, f"'{classes[target]['name']}'")
                st.session_state["tl_camn"] = st.session_state.get("tl_camn", 0) + 1
                st.rerun()
    with extra_right, st.container(border=True):
        st.markdown("**A zip with one folder per class** (replaces the classes above)")
        archive = st.file_uploader(
            "Zip of class folders", type=["zip"], key=f"tl_zip_{st.session_state.get('tl_zipn', 0)}"
        )
        if archive is not None:
            with ui.guard("Reading the zip"):
                folders = datasets.read_class_zip(archive.getvalue())
                if len(folders) > transfer.MAX_CLASSES:
                    raise ValueError(f"The zip has {len(folders)} class folders; at most {transfer.MAX_CLASSES}.")
                total = transfer.AddedImages()
                replaced = []
                for name, files in folders.items():
                    added = transfer.prepare_uploads(files)
                    replaced.append(new_class(name, added.files))
                    total.files += added.files
                    total.skipped += added.skipped
                    total.downscaled += added.downscaled
                st.session_state[CLASSES_KEY] = replaced
                report_added(total, f"{len(replaced)} classes from the zip")
                st.session_state["tl_zipn"] = st.session_state.get("tl_zipn", 0) + 1
                st.rerun()
        current = {c["name"]: c["files"] for c in classes}
        if any(current.values()):
            st.download_button(
                "Download these classes as a zip",
                datasets.zip_of_classes(current),
                file_name="classes.zip",
                icon=":material/download:",
                key="tl_zip_out",
            )

# --- training ------------------------------------------------------------------------------
with tab_train:
    controls, live = st.columns([1, 2])
    with controls:
        label = st.selectbox("Backbone", list(transfer.BACKBONES), key="tl_backbone")
        info = transfer.BACKBONES[label]
        cached = datasets.download_status()["ImageNet weights"]
        if info.application:
            st.caption(
                f"{info.note} ImageNet weights: {info.download_mb:.1f} MB download on first use "
                f"({'some weights are cached' if cached else 'none cached yet'}); images at "
                f"{info.image_size}x{info.image_size}."
            )
        else:
            st.caption(f"{info.note} Images at {info.image_size}x{info.image_size}.")
        backbone = None
        with ui.guard("Loading the backbone"):
            backbone, fallback_note = cached_backbone(label)
            if fallback_note:
                st.warning(fallback_note, icon=":material/cloud_off:")
        n_layers = len(backbone.base_layers) if backbone else 1
        st.markdown("**Phase 1 · feature extraction** (backbone frozen)")
        c1, c2 = st.columns(2)
        head_epochs = c1.number_input("Epochs", 1, 200, 15, key="tl_head_epochs")
        head_lr = c2.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2], 3e-3, key="tl_head_lr")
        st.markdown("**Phase 2 · fine-tuning** (top layers unfrozen)")
        c1, c2 = st.columns(2)
        fine_epochs = c1.number_input("Epochs ", 0, 100, 5, key="tl_fine_epochs")
        fine_lr = c2.select_slider("Learning rate ", [1e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3], 1e-4, key="tl_fine_lr")
        unfreeze = st.slider(
            "Unfreeze the top N backbone layers",
            0,
            n_layers,
            min(2, n_layers),
            key="tl_unfreeze",
            help="Layers with weights, counted from the top (batch-norm layers stay frozen).",
        )
        baseline = st.checkbox(
            "Also train the same network from scratch (random weights) for comparison", True, key="tl_baseline"
        )
        go = st.button("Train", type="primary", icon=":material/play_arrow:", key="tl_train", disabled=backbone is None)
        if go:
            with ui.guard("Starting training"):
                data = transfer.build_dataset({c["name"]: c["files"] for c in classes}, backbone.image_size)
                for line in data.notes:
                    st.caption(line)
                config = transfer.TransferConfig(
                    int(head_epochs),
                    float(head_lr),
                    int(fine_epochs),
                    int(unfreeze),
                    float(fine_lr),
                    scratch_baseline=baseline,
                )
                config.check(n_layers)
                st.session_state["tl_job_boundary"] = int(head_epochs)
                job = ui.start_job(JOB_KEY, transfer.train_transfer, backbone, data, config, name="transfer")
                transfer_runs().start(job.id, f"Run #{job.id}: {backbone.label}", config)
        st.markdown(
            ":material/lightbulb: **Try this:** train the example with fine-tuning epochs 0 and look at "
            "the gap between the solid line and the baseline; then remove images until each class has 5 — "
            "the from-scratch network falls apart first. Unfreeze all layers with learning rate 1e-3 and "
            "watch fine-tuning *hurt* (the pretrained features get overwritten)."
        )

    with live:
        boundary = st.session_state.get("tl_job_boundary", 0)

        def draw_curves(snapshot) -> None:
            for title, metric in (("Accuracy", "accuracy"), ("Loss", "loss")):
                names = {
                    "train": metric,
                    "test": f"val_{metric}",
                    "scratch train": f"scratch_{metric}",
                    "scratch test": f"scratch_val_{metric}",
                }
                series = {shown: snapshot.series[m] for shown, m in names.items() if m in snapshot.series}
                if series:
                    figure = plots.curves(
                        series,
                        title=f"{title}: transfer (solid/dashed) vs from scratch",
                        x_title="epoch",
                        vlines={"fine-tuning starts": boundary},
                        height=300,
                    )
                    st.plotly_chart(figure, key=f"tl_curve_{title}", config={"displayModeBar": False})

        snapshot = ui.job_panel(JOB_KEY, extra=draw_curves)
        if snapshot is not None and snapshot.state == "done" and snapshot.result is not None:
            transfer_runs().collect(snapshot, model_of=lambda result: result.model)
        result = last_result()
        if snapshot is None and result is None:
            st.info(
                "Press **Train**: phase 1 takes seconds on the example; the from-scratch baseline takes longer.",
                icon=":material/play_arrow:",
            )
        if result is not None:
            st.markdown(f"**Last run** — {result.backbone_label}, classes: {', '.join(result.class_names)}")
            cols = st.columns(3)
            for col, (what, value) in zip(
                cols,
                (
                    ("Head only (phase 1)", result.head_accuracy),
                    ("Fine-tuned (phase 2)", result.fine_tuned_accuracy),
                    ("From scratch", result.scratch_accuracy),
                ),
            ):
                col.metric(what, "—" if value is None else f"{value:.0%}", help="Accuracy on the held-out images")
            st.caption(
                "Seconds: "
                + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items())
                + (f"; unfrozen: {', '.join(result.unfrozen)}" if result.unfrozen else "")
            )
            with ui.guard("Saving the model"):
                st.download_button(
                    "Download the model (.keras)",
                    lambda: keras_tools.model_bytes(result.model),
                    file_name="transfer_model.keras",
                    icon=":material/download:",
                    key="tl_download",
                )
                st.caption(
                    f"Input: RGB 0–255, {result.image_size}x{result.image_size}; output: probabilities of "
                    f"{result.class_names}. Load with keras.models.load_model(path)."
                )

# --- try it & why ------------------------------------------------------------------------
with tab_why:
    result = last_result()
    if result is None:
        st.info("Train a model first (tab 2); then test it on new images here.", icon=":material/info:")
    else:
        run_id = transfer_runs().latest.id
        left, right = st.columns([1, 1])
        with left:
            held_out = result.labels[result.is_test]
            source = st.radio(
                "Test on",
                ["A held-out image", "Your own image"],
                horizontal=True,
                key="tl_try_source",
                index=0 if len(held_out) else 1,
            )
            if source == "A held-out image" and len(held_out):
                index = st.slider("Held-out image", 0, len(held_out) - 1, 0, key="tl_try_index")
                st.caption(f"True class: **{result.class_names[held_out[index]]}** (never seen in training).")
                picked = ui.PickedImage(result.test_images[index], f"held-out {index}")
            else:
                picked = ui.image_picker("tl_try", "Test image", default="chelsea (cat)")
            target = st.selectbox(
                "Explain class (Grad-CAM)",
                [None] + list(range(len(result.class_names))),
                key="tl_cam_target",
                format_func=lambda i: "the predicted class" if i is None else result.class_names[i],
            )
        with right, ui.guard("Predicting"):
            x = transfer.prepare_image(picked.rgb, result.image_size)
            probabilities, heat = cached_explanation(run_id, x, target, result.model)
            top = int(np.argmax(probabilities))
            shown = top if target is None else target
            bars, cam = st.columns([3, 2])
            bars.plotly_chart(
                plots.bars(result.class_names, probabilities, title="Prediction", highlight=top),
                key="tl_bars",
                config={"displayModeBar": False},
            )
            view = images.resize_to(explain.overlay(x / 255.0, heat), (224, 224))
            cam.image(
                view, caption=f"Grad-CAM for '{result.class_names[shown]}': red regions raise its score.", width=224
            )
            if heat.max() == 0:
                cam.caption("Blank map: no region adds evidence for this class.")
            st.caption(
                ":material/lightbulb: **Try this:** step through the held-out images and find a mistake — "
                "does Grad-CAM look at the object or at the background? Then show it a photo from outside "
                "its world (the cat): the probabilities still sum to 1, since softmax cannot say 'none of these'."
            )
        st.divider()
        st.markdown(
            "**Backbone features in 2-D**, one dot per image (open = held-out): before training "
            "(pretrained features) and after fine-tuning. Classes that form separate clouds are easy for "
            "the linear head."
        )
        method = st.radio("Projection", ["PCA", "t-SNE"], horizontal=True, key="tl_embed")
        with ui.guard("Embedding"):
            cols = st.columns(2)
            for col, (title, feats) in zip(
                cols, (("Pretrained backbone", result.features_before), ("After fine-tuning", result.features_after))
            ):
                points = cached_embedding(run_id, title, method, feats)
                score = transfer.separation(points, result.labels)
                col.plotly_chart(
                    transfer_plots.embedding_figure(
                        points,
                        result.labels,
                        result.class_names,
                        result.is_test,
                        title=f"{title} — {score:.0%} nearest-centre",
                    ),
                    key=f"tl_embed_{title}",
                    config={"displayModeBar": False},
                )
