"""CNN trainer: pick data, build a network from a layer table, train it live, look inside, use it, keep it."""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground import ui
from playground.core import datasets, images, keras_tools, runs, shipped_models
from playground.figures import cnn_plots, plots
from playground.lessons import cnn_training, explain, layer_table

JOB_KEY = "cnn_job"
RUNS_KEY = "cnn_runs"  # RunRegistry of this session's training runs
LOADED_KEY = "cnn_loaded"  # RunRegistry of the models the user loaded
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0]
USER_ZIP, USER_FILES = "Your images (zip)", "Your images (per class)"

ui.page_header(
    "CNN trainer",
    "Build a convolutional network layer by layer, train it on real images and watch the loss fall live. "
    "Then open it up: the filters it learned, what each layer sees, which classes it confuses, and why it "
    "predicts what it predicts for your own drawing.",
    "Default: Fashion-MNIST (70,000 clothing images, offline) and a small CNN that reaches about 90% in under a "
    "minute on a laptop CPU. MNIST and CIFAR-10 download on first use; bring your own images as a zip.",
)
ui.device_badge()

with st.expander("The concept: conv → ReLU → pool → flatten → dense → softmax", icon=":material/school:"):
    st.markdown(
        "A convolution layer slides $c_{out}$ filters of size $f\\times f\\times c_{in}$ over its input "
        "(padding $p$, stride $s$). Each output side and the layer's parameter count are"
    )
    st.latex(
        r"n_{out} = \left\lfloor \frac{n_{in} + 2p - f}{s} \right\rfloor + 1, \qquad "
        r"\#\text{params} = (f \cdot f \cdot c_{in} + 1)\, c_{out}"
    )
    st.markdown(
        "Pooling shrinks the maps without parameters; after flattening, dense layers and a softmax turn the "
        "features into class probabilities, trained by minimising the cross-entropy:"
    )
    st.latex(r"p_k = \frac{e^{z_k}}{\sum_j e^{z_j}}, \qquad \mathcal{L} = -\frac{1}{N}\sum_{i=1}^{N} \log p_{y_i}")
    st.markdown(
        "**Course example — LeNet-5** (LeCun 1998, Coursera *Classic networks*): on a 32x32 image "
        "(here 28x28 padded by 2, as LeNet did with MNIST) conv 6@5x5 → avg-pool → conv 16@5x5 → avg-pool → "
        "FC 120 → FC 84 → softmax 10, about 60k parameters:"
    )
    lenet = layer_table.summarize(layer_table.preset("LeNet-5", (28, 28, 1)), (28, 28, 1), 10)
    st.dataframe(lenet.table(), hide_index=True, width="stretch")
    st.markdown(
        f"Total: **{lenet.total_params:,}** parameters = 156 + 2,416 + 48,120 + 10,164 + 850; "
        f"{lenet.total_flops / 1e6:.2f} MFLOPs per image."
    )


# --- data ---------------------------------------------------------------------------------


def load_dataset(name: str) -> datasets.Dataset:
    with st.spinner("Loading the dataset…"):
        return datasets.shared(name)


def pick_dataset() -> datasets.Dataset:
    """The dataset controls; falls back to the last usable dataset with a message."""
    choice = st.selectbox("Dataset", list(datasets.LOADERS) + [USER_ZIP, USER_FILES], key="cnn_dataset")
    data = None
    with ui.guard("Loading the dataset"):
        if choice == USER_ZIP:
            data = user_zip_dataset()
        elif choice == USER_FILES:
            data = user_files_dataset()
        else:
            data = load_dataset(choice)
    if data is None:
        data = st.session_state.get("cnn_last_dataset") or load_dataset("Fashion-MNIST")
        st.caption(f"Using **{data.name}** meanwhile.")
    st.session_state["cnn_last_dataset"] = data
    return data


def _user_image_options(key: str) -> tuple[tuple[int, int], bool]:
    cols = st.columns(2)
    side = cols[0].select_slider(
        "Resize to", [16, 24, 28, 32, 48, 64], value=32, key=f"{key}_side", format_func=lambda s: f"{s}x{s}"
    )
    gray = cols[1].toggle("Grayscale", value=False, key=f"{key}_gray")
    return (side, side), gray


def user_zip_dataset() -> datasets.Dataset | None:
    file = st.file_uploader("A zip with one folder per class (cats/…, dogs/…)", type=["zip"], key="cnn_zip")
    size, gray = _user_image_options("cnn_zip")
    if file is None:
        st.info("Upload a zip to train on your own images.", icon=":material/upload:")
        return None
    classes = datasets.read_class_zip(file.getvalue())
    return datasets.from_class_files(classes, size, gray)


def user_files_dataset() -> datasets.Dataset | None:
    count = st.number_input("Number of classes", 2, 8, 2, key="cnn_user_classes")
    size, gray = _user_image_options("cnn_files")
    files_per_class = {}
    cols = st.columns(min(int(count), 4))
    for index in range(int(count)):
        with cols[index % len(cols)]:
            name = st.text_input(f"Class {index + 1} name", f"class {index + 1}", key=f"cnn_class_name_{index}")
            files = st.file_uploader(
                f"Images of '{name}'",
                type=images.UPLOAD_TYPES,
                accept_multiple_files=True,
                key=f"cnn_class_files_{index}",
            )
            files_per_class[name] = [(f.name, f.getvalue()) for f in files or []]
    if not all(files_per_class.values()):
        st.info("Add at least one image to every class (a few dozen each work best).", icon=":material/upload:")
        return None
    return datasets.from_class_files(files_per_class, size, gray)


def show_dataset(data: datasets.Dataset) -> None:
    st.caption(f":material/database: {data.source}")
    for note in data.notes:
        st.caption(note)
    h, w, c = data.input_shape
    st.markdown(
        f"**{len(data.y_train):,}** training and **{len(data.y_test):,}** test images of {h}x{w}x{c}, "
        f"**{data.num_classes}** classes."
    )
    left, right = st.columns([3, 2])
    with left:
        per_class = 8
        picks, titles = [], []
        for label in range(data.num_classes):
            idx = np.flatnonzero(data.y_train == label)[:per_class]
            picks.extend(data.x_train[idx])
            titles.extend([data.class_names[label] if i == 0 else "" for i in range(len(idx))])
        st.plotly_chart(
            plots.image_grid(picks, titles, cols=per_class, title="Examples per class (rows)", cell_px=56),
            config={"displayModeBar": False},
            key="cnn_examples",
        )
    with right:
        counts = data.class_counts()
        st.plotly_chart(
            plots.bars(
                data.class_names, counts / counts.sum(), title="Class balance (training set)", value_format=".1%"
            ),
            config={"displayModeBar": False},
            key="cnn_balance",
        )
        if counts.min() < 0.5 * counts.max():
            st.warning(
                "The classes are unbalanced: accuracy alone can flatter the model; check per-class "
                "accuracy after training.",
                icon=":material/balance:",
            )
    if data.name not in layer_table.SCRIPT_DATASETS:
        st.download_button(
            "Download these images (zip of class folders)",
            lambda: datasets.class_zip(data),
            file_name=f"{data.name}_images.zip",
            mime="application/zip",
            icon=":material/folder_zip:",
            key="cnn_dataset_zip",
            help="The training script you can download after training reads this zip: `python train_cnn.py images.zip`.",
        )


# --- network ------------------------------------------------------------------------------


def network_editor(data: datasets.Dataset) -> list[layer_table.LayerSpec] | None:
    """Preset picker + editable layer table + live summary; returns valid rows or None."""
    shape = data.input_shape
    names = list(layer_table.PRESETS)
    preset = st.selectbox(
        "Start from a preset", names, key="cnn_preset", help="Picking a preset replaces the table below."
    )
    if st.session_state.get("cnn_table_source") != (preset, shape):
        st.session_state["cnn_table_source"] = (preset, shape)
        st.session_state["cnn_table"] = layer_table.to_table(layer_table.preset(preset, shape))
        st.session_state["cnn_table_version"] = st.session_state.get("cnn_table_version", 0) + 1
    column = st.column_config
    edited = st.data_editor(
        st.session_state["cnn_table"],
        num_rows="dynamic",
        width="stretch",
        hide_index=False,
        key=f"cnn_table_editor_{st.session_state['cnn_table_version']}",
        column_config={
            "type": column.SelectboxColumn(
                "type",
                options=layer_table.LAYER_TYPES,
                required=True,
                help="ResBlock = two convolutions + a skip connection (ResNet).",
            ),
            "size": column.NumberColumn("filters / units", min_value=0, max_value=4096, step=1),
            "kernel": column.NumberColumn("kernel", min_value=1, max_value=15, step=1),
            "stride": column.NumberColumn("stride", min_value=1, max_value=8, step=1),
            "padding": column.SelectboxColumn("padding", options=layer_table.PADDINGS),
            "activation": column.SelectboxColumn("activation", options=layer_table.ACTIVATIONS),
            "batch_norm": column.CheckboxColumn("batch norm"),
            "dropout": column.NumberColumn("dropout after", min_value=0.0, max_value=0.95, step=0.05),
        },
    )
    records = edited.to_dict("records") if hasattr(edited, "to_dict") else list(edited)
    st.caption(
        "Add rows at the bottom, delete with the row checkbox. The output layer "
        f"(Dense {data.num_classes}, softmax) is added for you."
    )
    layers = None
    with ui.guard("Reading the layer table"):
        layers = layer_table.from_table(records)
        summary = layer_table.summarize(layers, shape, data.num_classes)
        cols = st.columns(3)
        cols[0].metric("Parameters", f"{summary.total_params:,}")
        cols[1].metric("FLOPs per image", f"{summary.total_flops / 1e6:.2f} M")
        cols[2].metric("Layers (incl. output)", len(summary.rows))
        st.dataframe(
            summary.table(),
            hide_index=True,
            width="stretch",
            column_config={
                "params": st.column_config.NumberColumn(format="localized"),
                "FLOPs": st.column_config.NumberColumn(format="localized"),
            },
        )
        return layers
    return None


# --- training -----------------------------------------------------------------------------


def training_controls(data: datasets.Dataset) -> cnn_training.TrainConfig:
    cols = st.columns(5)
    optimizer = cols[0].selectbox("Optimizer", keras_tools.OPTIMIZERS, key="cnn_optimizer")
    learning_rate = cols[1].select_slider(
        "Learning rate", LEARNING_RATES, value=1e-3, key="cnn_lr", format_func=lambda v: f"{v:g}"
    )
    batch_size = cols[2].select_slider("Batch size", [8, 16, 32, 64, 128, 256, 512], value=64, key="cnn_batch")
    epochs = cols[3].slider("Epochs", 1, 40, 5, key="cnn_epochs")
    init_label = cols[4].selectbox(
        "Weight initialiser",
        list(layer_table.INITIALIZERS),
        key="cnn_init",
        help="Zeros makes every filter identical: they all get the same gradient "
        "and never become different (the symmetry problem).",
    )
    with st.expander("Data augmentation (random changes to training images only)", icon=":material/transform:"):
        cols = st.columns(4)
        augmentation = layer_table.Augmentation(
            flip=cols[0].toggle("Horizontal flip", key="cnn_aug_flip"),
            shift=cols[1].slider("Shift (fraction)", 0.0, 0.3, 0.0, 0.05, key="cnn_aug_shift"),
            rotate=cols[2].slider("Rotate (fraction of a turn)", 0.0, 0.25, 0.0, 0.025, key="cnn_aug_rotate"),
            zoom=cols[3].slider("Zoom (fraction)", 0.0, 0.4, 0.0, 0.05, key="cnn_aug_zoom"),
        )
        if augmentation.active:
            with ui.guard("The augmentation preview"):
                examples = data.x_train[:6]
                augmented = layer_table.augment_examples(
                    examples, augmentation, copies=5, seed=st.session_state.get("cnn_aug_seed", 0)
                )
                grid = [img for original, copies in zip(examples, augmented) for img in (original, *copies)]
                st.plotly_chart(
                    plots.image_grid(
                        grid, cols=6, cell_px=64, title="Each row: the original, then 5 augmented versions"
                    ),
                    config={"displayModeBar": False},
                    key="cnn_aug_preview",
                )
                if st.button("New random draws", key="cnn_aug_reroll"):
                    st.session_state["cnn_aug_seed"] = st.session_state.get("cnn_aug_seed", 0) + 1
                    st.rerun()
        else:
            st.caption("Turn something on to preview it. Flips suit photos and clothes, not digits.")
    return cnn_training.TrainConfig(
        optimizer,
        float(learning_rate),
        int(batch_size),
        int(epochs),
        layer_table.INITIALIZERS[init_label],
        augmentation,
    )


def trained_runs() -> runs.RunRegistry:
    return st.session_state.setdefault(RUNS_KEY, runs.RunRegistry(keep_models=cnn_training.MAX_KEPT_MODELS))


def loaded_runs() -> runs.RunRegistry:
    return st.session_state.setdefault(LOADED_KEY, runs.RunRegistry())


def run_label(layers: list[layer_table.LayerSpec], config: cnn_training.TrainConfig) -> str:
    number = len(trained_runs()) + 1
    return (
        f"Run {number}: {st.session_state.get('cnn_preset', 'custom').split(' (')[0]}, {config.optimizer} "
        f"lr {config.learning_rate:g}, bs {config.batch_size}"
    )


def register_finished_run() -> None:
    """Keep the finished job's curves, model and test predictions as a run (once). A diverged run
    keeps its curves and says why; its model is not offered."""
    job = st.session_state.get(JOB_KEY)
    run = trained_runs().collect(job.snapshot() if job else None, model_of=lambda result: result.model)
    if run is not None and run.result is not None and run.result.diverged:
        run.message = run.message or run.result.diverged


def curves(live_label: str | None = None, live_series: dict | None = None, epochs: int | None = None) -> None:
    """Loss and accuracy of every run of this dataset (and the live one) on shared charts."""
    data_name = st.session_state["cnn_last_dataset"].name
    shown = [(run.label, run.history) for run in trained_runs() if run.details.get("dataset") == data_name]
    if live_label is not None:
        shown.append((live_label + " (live)", live_series or {}))
    if not shown:
        return
    x_max = max([epochs or 0] + [max(xs, default=0) for _, series in shown for xs, _ in series.values()]) or None
    left, right = st.columns(2)
    left.plotly_chart(
        cnn_plots.runs_figure(shown, "loss", "Loss (solid: train, dashed: validation)", x_max=x_max),
        config={"displayModeBar": False},
        key=f"cnn_loss_{'live' if live_label else 'all'}",
    )
    right.plotly_chart(
        cnn_plots.runs_figure(shown, "accuracy", "Accuracy", x_max=x_max),
        config={"displayModeBar": False},
        key=f"cnn_acc_{'live' if live_label else 'all'}",
    )


def live_extra(snapshot) -> None:
    job = st.session_state[JOB_KEY]
    if not snapshot.finished:
        lr_now = snapshot.info.get("learning_rate")
        cols = st.columns([2, 1, 3])
        new_lr = cols[0].select_slider(
            "Change the learning rate now",
            LEARNING_RATES,
            value=min(LEARNING_RATES, key=lambda v: abs(v - (lr_now or 1e-3))),
            format_func=lambda v: f"{v:g}",
            key=f"cnn_live_lr_{job.id}",
        )
        if cols[1].button("Apply", key=f"cnn_live_lr_apply_{job.id}", icon=":material/tune:"):
            job.send(learning_rate=new_lr)
            st.toast(f"Learning rate → {new_lr:g} from the next batch.")
        if lr_now is not None:
            cols[2].caption(
                f"Current learning rate: **{lr_now:g}**. Try a big jump up mid-run and watch the loss spike."
            )
        pending = trained_runs().pending
        curves(pending.label if pending else "current", snapshot.series, pending.config.epochs if pending else None)


# --- looking inside and using a model -------------------------------------------------------


SHIPPED_RUN = runs.Run(0, "shipped", details={"shipped": True})


def model_choices(data: datasets.Dataset) -> dict[str, runs.Run]:
    """Models that can classify this dataset: trained runs, loaded files, the shipped CNN."""
    choices = {}
    for run in trained_runs().with_models():
        if run.details.get("dataset") == data.name:
            choices[run.label + (f" — test {run.result.test_accuracy:.1%}" if run.result.test_accuracy else "")] = run
    for run in loaded_runs():
        if tuple(run.model.input_shape[1:]) == data.input_shape and run.model.output_shape[-1] == data.num_classes:
            choices[run.label] = run
    if data.name == "fashion_mnist" and shipped_models.SHIPPED["fashion_cnn"].path.exists():
        choices["Shipped CNN (assets/models/fashion_cnn.keras)"] = SHIPPED_RUN
    return choices


def test_probabilities(run: runs.Run, data: datasets.Dataset) -> np.ndarray:
    """Probabilities on the test set, computed once per (model, dataset)."""
    if run.result is not None and run.details.get("dataset") == data.name:
        return run.result.test_probabilities
    cache = st.session_state.setdefault("cnn_probability_cache", {})
    key = (run.id, data.name)
    if key not in cache:
        with st.spinner("Classifying the test set…"):
            cache[key] = keras_tools.predict_probabilities(run_model(run), data.x_test)
    return cache[key]


def run_model(run: runs.Run):
    return ui.shipped_model("fashion_cnn") if run.details.get("shipped") else run.model


def look_inside(model, probabilities: np.ndarray, data: datasets.Dataset) -> None:
    y_true, y_pred = data.y_test, probabilities.argmax(1)
    matrix = cnn_training.confusion_matrix(y_true, y_pred, data.num_classes)
    accuracy = float(np.mean(y_pred == y_true))
    cols = st.columns(3)
    cols[0].metric("Test accuracy", f"{accuracy:.1%}")
    cols[1].metric("Mistakes", f"{int((y_pred != y_true).sum()):,} of {len(y_true):,}")
    worst = int(np.nanargmin(cnn_training.per_class_accuracy(matrix)))
    cols[2].metric(
        "Hardest class",
        data.class_names[worst],
        f"{cnn_training.per_class_accuracy(matrix)[worst]:.0%} right",
        delta_color="off",
        delta_arrow="off",
    )

    st.subheader("Confusion matrix")
    st.caption(
        "Rows are the true class, columns the prediction. **Click a cell** to see those images "
        "(or pick it on the right)."
    )
    left, right = st.columns([3, 2])
    options = [(t, p) for t in range(data.num_classes) for p in range(data.num_classes)]
    default_cell = max(((t, p) for t, p in options if t != p), key=lambda cell: matrix[cell])
    selected = st.session_state.get("cnn_cell", default_cell)
    with left:
        event = st.plotly_chart(
            cnn_plots.confusion_figure(matrix, data.class_names, selected=selected),
            on_select="rerun",
            selection_mode="points",
            key="cnn_confusion",
            config={"displayModeBar": False},
            width="content",
        )
        points = (event or {}).get("selection", {}).get("points", []) if event else []
        if points:
            clicked = (int(points[0]["y"]), int(points[0]["x"]))
            if clicked != st.session_state.get("cnn_cell_clicked"):
                st.session_state["cnn_cell_clicked"] = clicked
                st.session_state["cnn_cell"] = clicked
                st.rerun()
    with right:
        cell = st.selectbox(
            "Cell",
            options,
            index=options.index(selected),
            key=f"cnn_cell_pick_{selected}",
            format_func=lambda c: f"true {data.class_names[c[0]]} → predicted {data.class_names[c[1]]} ({matrix[c]})",
        )
        if cell != selected:
            st.session_state["cnn_cell"] = cell
            st.rerun()
        idx = cnn_training.cell_examples(y_true, probabilities, *cell, limit=20)
        if len(idx):
            st.plotly_chart(
                plots.image_grid(
                    data.x_test[idx], [f"{probabilities[i, cell[1]]:.0%}" for i in idx], cols=5, cell_px=80
                ),
                config={"displayModeBar": False},
                key="cnn_cell_images",
            )
            st.caption(
                f"{matrix[cell]} test image(s), the model's confidence in '{data.class_names[cell[1]]}' above "
                "each (most confident first)."
            )
        else:
            st.info("No test image falls in this cell.")

    left, right = st.columns(2)
    with left:
        st.plotly_chart(
            plots.bars(
                data.class_names, cnn_training.per_class_accuracy(matrix), title="Per-class accuracy", highlight=worst
            ),
            config={"displayModeBar": False},
            key="cnn_per_class",
        )
    with right:
        wrong = cnn_training.most_confident_mistakes(y_true, probabilities, limit=12)
        titles = [f"{data.class_names[y_pred[i]][:10]} {probabilities[i, y_pred[i]]:.0%}" for i in wrong]
        if len(wrong):
            st.plotly_chart(
                plots.image_grid(
                    data.x_test[wrong],
                    titles,
                    cols=4,
                    cell_px=95,
                    title="Most confidently wrong (predicted, confidence)",
                ),
                config={"displayModeBar": False},
                key="cnn_confident_wrong",
            )
            st.caption("Often the label is debatable, or the image really looks like the other class.")

    st.subheader("Filters and activation maps")
    with ui.guard("Showing the filters"):
        kernel = explain.first_conv_filters(model)
        st.plotly_chart(
            plots.image_grid(
                explain.filters_as_images(kernel),
                cols=16,
                cell_px=52,
                title=f"First-layer filters ({kernel.shape[0]}x{kernel.shape[1]}, "
                f"{kernel.shape[-1]} of them; bright = positive weight)",
            ),
            config={"displayModeBar": False},
            key="cnn_filters",
        )
    layer_names = explain.spatial_layers(model)
    if layer_names:
        cols = st.columns([1, 2, 2])
        index = cols[0].number_input("Test image #", 0, len(data.x_test) - 1, 0, key="cnn_act_index")
        layer_name = cols[1].selectbox("Layer", layer_names, key="cnn_act_layer")
        with ui.guard("Computing activation maps"):
            maps = explain.activation_maps(model, data.x_test[index], layer_name)
            shown = min(maps.shape[-1], 32)
            tiles = [explain.normalise(maps[..., c]) for c in range(shown)]
            cols[2].plotly_chart(
                plots.image_figure(
                    images.to_uint8(data.x_test[index]).squeeze(),
                    title=f"{data.class_names[y_true[index]]} → {data.class_names[y_pred[index]]}",
                    height=200,
                ),
                config={"displayModeBar": False},
                key="cnn_act_input",
            )
            st.plotly_chart(
                plots.image_grid(
                    tiles,
                    cols=16,
                    cell_px=70,
                    title=f"{layer_name}: {shown} of {maps.shape[-1]} maps, "
                    f"{maps.shape[0]}x{maps.shape[1]} each (bright = strong)",
                ),
                config={"displayModeBar": False},
                key="cnn_act_maps",
            )
            st.caption(
                "Try this: early layers look like edge detectors of the input; deeper maps get smaller and "
                "fire on parts (a collar, a heel) rather than pixels."
            )


def use_model(model, data: datasets.Dataset) -> None:
    from streamlit_drawable_canvas import st_canvas

    source = st.radio("Input", ["Draw", "Test image", "Upload or camera"], horizontal=True, key="cnn_use_source")
    image = None
    left, right = st.columns([1, 2])
    with left, ui.guard("Reading the input"):
        if source == "Draw":
            st.caption("Draw in white on black, as the dataset's images are (e.g. a trouser, a shoe, a digit).")
            drawn = st_canvas(
                stroke_width=22,
                stroke_color="#FFFFFF",
                background_color="#000000",
                height=280,
                width=280,
                drawing_mode="freedraw",
                return_image_data=True,
                key="cnn_canvas",
            )
            if drawn is not None and drawn.image_data is not None and drawn.image_data[..., :3].max() > 0:
                image = explain.prepare_drawing(drawn.image_data, data.input_shape)
            else:
                st.info("Draw something above.")
        elif source == "Test image":
            index = st.number_input("Test image #", 0, len(data.x_test) - 1, 7, key="cnn_use_index")
            image = data.x_test[index]
            st.caption(f"True class: **{data.class_names[data.y_test[index]]}**")
        else:
            picked = ui.image_picker("cnn_use_pick", "Photo", default="coffee")
            invert = st.toggle(
                "Invert (dark object on light background)", value=data.name == "fashion_mnist", key="cnn_use_invert"
            )
            image = explain.prepare_photo(picked.rgb, data.input_shape, invert)
        if image is not None:
            st.plotly_chart(
                plots.image_figure(images.to_uint8(image).squeeze(), title="What the network sees", height=230),
                config={"displayModeBar": False},
                key="cnn_use_seen",
            )
    if image is None:
        return
    with right, ui.guard("Predicting"):
        probabilities = keras_tools.predict_probabilities(model, image[None])[0]
        top = int(probabilities.argmax())
        st.plotly_chart(
            plots.bars(
                data.class_names,
                probabilities,
                highlight=top,
                title=f"Prediction: {data.class_names[top]} ({probabilities[top]:.0%})",
            ),
            config={"displayModeBar": False},
            key="cnn_use_bars",
        )
        cols = st.columns(2)
        heat, _ = explain.saliency(model, image, top)
        cols[0].plotly_chart(
            plots.image_figure(explain.overlay(image, heat), title="Saliency (input gradient)", height=260),
            config={"displayModeBar": False},
            key="cnn_saliency",
        )
        if explain.spatial_layers(model):
            cam, _ = explain.grad_cam(model, image, top)
            cols[1].plotly_chart(
                plots.image_figure(
                    explain.overlay(image, cam), title=f"Grad-CAM on {explain.last_conv_layer(model)}", height=260
                ),
                config={"displayModeBar": False},
                key="cnn_gradcam",
            )
        else:
            cols[1].info("Grad-CAM needs convolution layers; this model has none.")
        st.caption(
            "Saliency: which pixels would change the score most. Grad-CAM: which regions of the last "
            "feature maps drove the prediction. Red = most important."
        )


def keep_it(run: runs.Run | None, data: datasets.Dataset) -> None:
    if run is not None:
        model = run_model(run)
        cols = st.columns(2)
        cols[0].download_button(
            "Download the model (.keras)",
            keras_tools.model_bytes(model),
            file_name="cnn_model.keras",
            icon=":material/download:",
            key="cnn_download_model",
        )
        if run.details.get("code"):
            cols[1].download_button(
                "Download the Python code",
                run.details["code"],
                file_name="train_cnn.py",
                icon=":material/code:",
                key="cnn_download_code",
            )
            st.code(run.details["code"], language="python")
    else:
        st.info("Train a model first to download it.", icon=":material/info:")
    st.subheader("Load a model you downloaded")
    file = st.file_uploader(
        "A .keras file (loaded in safe mode: standard layers only, no custom code)", type=None, key="cnn_load_file"
    )
    if file is not None and st.session_state.get("cnn_loaded_name") != (file.name, file.size):
        with ui.guard("Loading the model"):
            model = keras_tools.load_uploaded_model(file.getvalue(), file.name)
            st.session_state["cnn_loaded_name"] = (file.name, file.size)
            loaded_runs().add_loaded(f"Loaded: {file.name}", model)
            expected = data.input_shape + (data.num_classes,)
            got = tuple(model.input_shape[1:]) + (model.output_shape[-1],)
            if got != expected:
                st.warning(
                    f"Loaded '{file.name}', but it expects {got[:3]} images and {got[3]} classes while "
                    f"{data.name} has {expected[:3]} and {expected[3]}; switch to a matching dataset to use it."
                )
            else:
                st.success(f"Loaded '{file.name}': pick it under *Look inside* or *Use it*.")
    loaded = [run.label.removeprefix("Loaded: ") for run in loaded_runs()]
    if loaded:
        st.caption("Loaded in this session: " + ", ".join(f"**{name}**" for name in loaded))


# --- page -----------------------------------------------------------------------------------

register_finished_run()
tab_data, tab_network, tab_train, tab_inside, tab_use, tab_keep = st.tabs(
    [
        ":material/dataset: 1 · Data",
        ":material/account_tree: 2 · Network",
        ":material/model_training: 3 · Train",
        ":material/visibility: 4 · Look inside",
        ":material/draw: 5 · Use it",
        ":material/save: 6 · Keep it",
    ]
)

with tab_data:
    data = pick_dataset()
    show_dataset(data)

with tab_network:
    layers = network_editor(data)
    st.caption(
        "Try this: start from *Logistic regression*, then *MLP*, then *LeNet-5*, and compare parameters "
        "with accuracy. Make a 5x5 'valid' convolution after three poolings to see the error message."
    )

with tab_train:
    config = None
    with ui.guard("Reading the training settings"):
        config = training_controls(data)
        config.check()
    job = st.session_state.get(JOB_KEY)
    running = job is not None and not job.finished
    cols = st.columns([1, 4])
    start = cols[0].button(
        "Train",
        type="primary",
        icon=":material/play_arrow:",
        key="cnn_train",
        disabled=layers is None or config is None,
    )
    if layers is None:
        cols[1].caption("Fix the network on the *Network* tab first.")
    else:
        cols[1].caption(
            f"{len(data.y_train):,} images x {config.epochs if config else '?'} epochs; 10% held out for "
            "the validation curves. Training again keeps the earlier runs on the charts."
            + (" Starting now stops the current run." if running else "")
        )
    if start and layers is not None and config is not None:
        label = run_label(layers, config)
        code = layer_table.keras_code(
            layers,
            data.input_shape,
            data.num_classes,
            config.optimizer,
            config.learning_rate,
            config.batch_size,
            config.epochs,
            config.initializer,
            config.augmentation,
            dataset=data.name,
            class_names=data.class_names,
            seed=config.seed,
        )
        job = ui.start_job(
            JOB_KEY,
            cnn_training.train,
            layers,
            data.x_train,
            data.y_train,
            data.x_test,
            data.y_test,
            data.num_classes,
            config,
            name="cnn-trainer",
        )
        trained_runs().start(job.id, label, config, dataset=data.name, layers=layers, code=code)
    snapshot = ui.job_panel(JOB_KEY, extra=live_extra, run_every_s=cnn_training.LIVE_REFRESH_S)
    if snapshot is None or snapshot.finished:
        curves()
    last = trained_runs().latest
    if last is not None and last.message:
        st.error(f"{last.label}: {last.message}", icon=":material/warning:")
    elif last is not None and last.result is not None and last.result.test_accuracy is not None:
        st.success(
            f"{last.label}: test accuracy **{last.result.test_accuracy:.1%}** after "
            f"{last.result.train_seconds:.0f} s ({last.result.samples_per_s:,.0f} images/s).",
            icon=":material/check_circle:",
        )
    st.caption(
        "Try this: train the default, then the same net with SGD (no momentum) — the dashed validation "
        "curves show the difference. Then set the learning rate to 10 and watch it diverge."
    )

choices = model_choices(data)
with tab_inside:
    if not choices:
        st.info(
            "Train a model on the *Train* tab (or load one on *Keep it*) to look inside it.", icon=":material/info:"
        )
    else:
        chosen = st.selectbox("Model", list(choices), key="cnn_inside_model")
        with ui.guard("Looking inside"):
            look_inside(run_model(choices[chosen]), test_probabilities(choices[chosen], data), data)

with tab_use:
    if not choices:
        st.info("Train or load a model first.", icon=":material/info:")
    else:
        chosen = st.selectbox("Model", list(choices), key="cnn_use_model")
        use_model(run_model(choices[chosen]), data)

with tab_keep:
    trained = trained_runs().with_models()
    keep_it(trained[0] if trained else None, data)
