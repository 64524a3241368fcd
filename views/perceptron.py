"""Perceptron & MLP: the neuron, the perceptron rule, backpropagation by hand, and a live playground."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from playground import ui
from playground.figures import perceptron_plots as pp
from playground.figures import plots
from playground.lessons import mlp
from playground.lessons import perceptron as P

PLAY_TICK_S = 0.35  # seconds between animation frames while "playing"
PLAYGROUND_GRID = 60  # decision-map resolution (cells per side)
NEURON_GRID = 24  # per-neuron map resolution

ui.page_header(
    "Perceptron & MLP",
    "A neuron adds up weighted inputs and fires when the sum is large enough; learning means nudging "
    "the weights after each mistake. Follow the course's hand-worked examples, then train a real "
    "multi-layer network live on 2-D data and watch every neuron's view of the plane change.",
    source="Data: the course's AND / OR / XOR tables and generated 2-D point sets; "
    "model: NumPy code on this page (checked against TensorFlow in the tests). Nothing to download.",
)

tab_neuron, tab_rule, tab_backprop, tab_playground = st.tabs(
    [
        ":material/radio_button_checked: 1 · Neuron",
        ":material/linear_scale: 2 · Perceptron rule",
        ":material/account_tree: 3 · Backpropagation by hand",
        ":material/hub: 4 · Playground",
    ]
)


# ---------------------------------------------------------------- 1. Neuron
with tab_neuron:
    formula_sum, formula_activations = st.columns([2, 3])
    formula_sum.latex(
        r"\text{sum} = \sum_{i=1}^{n} x_i\,w_i \qquad "
        r"\text{step: } y = \begin{cases}1 & \text{sum} \ge 1\\ 0 & \text{otherwise}\end{cases}"
    )
    formula_activations.latex(
        r"\sigma(s) = \frac{1}{1+e^{-s}} \quad \tanh(s) = \frac{e^{s}-e^{-s}}{e^{s}+e^{-s}}"
        r" \quad \text{ReLU}(s) = \max(0, s)"
    )
    controls, result = st.columns([1, 2], gap="large")
    with controls:
        x1 = st.number_input("Input x₁", -100.0, 100.0, P.COURSE_NEURON_INPUTS[0], 1.0, key="pc_x1")
        x2 = st.number_input("Input x₂", -100.0, 100.0, P.COURSE_NEURON_INPUTS[1], 1.0, key="pc_x2")
        w1 = st.slider("Weight w₁", -1.0, 1.0, P.COURSE_NEURON_WEIGHTS[0], 0.05, key="pc_w1")
        w2 = st.slider("Weight w₂", -1.0, 1.0, P.COURSE_NEURON_WEIGHTS[1], 0.05, key="pc_w2")
        activation = st.selectbox("Activation", P.ACTIVATIONS, key="pc_activation")
        threshold = st.number_input(
            "Step threshold",
            -10.0,
            10.0,
            P.STEP_THRESHOLD,
            0.5,
            key="pc_threshold",
            disabled=activation != "step",
            help="The course fires at sum ≥ 1.",
        )
    with result, ui.guard("The neuron"):
        total, output = P.neuron_output([x1, x2], [w1, w2], activation, threshold)
        st.markdown("**Worked out**")
        st.latex(
            rf"\text{{sum}} = ({x1:g} \times {w1:g}) + ({x2:g} \times {w2:g}) = "
            rf"{x1 * w1:g} + {x2 * w2:g} = {total:g}"
        )
        if activation == "step":
            verdict = r"\ge" if output == 1 else "<"
            st.latex(rf"{total:g} {verdict} {threshold:g} \;\Rightarrow\; y = {output:g}")
        else:
            st.latex(rf"y = \text{{{activation}}}({total:g}) = {output:.4g}")
        st.plotly_chart(
            pp.activation_curve(activation, total, threshold),
            key="pc_activation_curve",
            config={"displayModeBar": False},
        )
    st.info(
        "**Try this** · Set w₁ to −0.8: the sum becomes −25.5 and the neuron stays silent — a negative weight is "
        "an *inhibitory* synapse. · Switch to sigmoid: the all-or-nothing 1 becomes a probability. · "
        "With sum 30.5 sigmoid and tanh are saturated at 1; shrink the inputs to see their curved part.",
        icon=":material/lightbulb:",
    )


# ---------------------------------------------------------------- 2. Perceptron rule
def _rule_settings_key(gate, lr, w_init, threshold, max_epochs) -> str:
    return f"{gate}|{lr}|{w_init}|{threshold}|{max_epochs}"


def _perceptron_step_latex(step: P.PerceptronStep, lr: float, threshold: float) -> str:
    x1_, x2_ = step.inputs
    wb, wa = step.weights_before, step.weights_after
    compare = r"\ge" if step.prediction else "<"
    return (
        rf"\text{{sum}} = {x1_:g}\times{wb[0]:.2f} + {x2_:g}\times{wb[1]:.2f} = {step.weighted_sum:.2f} "
        rf"{compare} {threshold:g} \Rightarrow \text{{prediction}} = {step.prediction}"
        rf"\\ \text{{error}} = {step.target} - {step.prediction} = {step.error}"
        rf"\\ w_1 = {wb[0]:.2f} + {lr:g}\times{x1_:g}\times{step.error} = {wa[0]:.2f}"
        rf"\\ w_2 = {wb[1]:.2f} + {lr:g}\times{x2_:g}\times{step.error} = {wa[1]:.2f}"
    )


with tab_rule:
    st.latex(
        r"\text{error} = \text{correct} - \text{prediction} \qquad "
        r"w_i \leftarrow w_i + \text{learning rate} \times x_i \times \text{error}"
    )
    c1, c2, c3, c4, c5 = st.columns([1.4, 1, 1, 1, 1])
    gate = c1.segmented_control("Operator", list(P.LOGIC_GATES), default="AND", key="pc_gate") or "AND"
    rule_lr = c2.number_input("Learning rate", 0.0, 10.0, 0.1, 0.05, key="pc_rule_lr", format="%g")
    w1_init = c3.number_input("Initial w₁", -2.0, 2.0, 0.0, 0.1, key="pc_rule_w1")
    w2_init = c4.number_input("Initial w₂", -2.0, 2.0, 0.0, 0.1, key="pc_rule_w2")
    rule_epochs = c5.number_input("Max epochs", 1, 200, 20, 1, key="pc_rule_epochs")
    with ui.guard("The perceptron rule"):
        result = P.train_perceptron(
            P.LOGIC_INPUTS, P.LOGIC_GATES[gate], [w1_init, w2_init], rule_lr, P.STEP_THRESHOLD, int(rule_epochs)
        )
        settings = _rule_settings_key(gate, rule_lr, (w1_init, w2_init), P.STEP_THRESHOLD, rule_epochs)
        if st.session_state.get("pc_rule_settings") != settings:
            st.session_state.update(pc_rule_settings=settings, pc_rule_pos=0, pc_rule_playing=False)
        playing = st.session_state.get("pc_rule_playing", False)

        @st.fragment(run_every=PLAY_TICK_S if playing else None)
        def perceptron_stepper() -> None:
            history = result.history
            pos = st.session_state.get("pc_rule_pos", 0)
            if st.session_state.get("pc_rule_playing") and pos < len(history):
                pos += 1
            buttons = st.columns([1, 1, 1, 1, 1, 3])
            if buttons[0].button("Reset", icon=":material/first_page:", key="pc_rule_reset", width="stretch"):
                pos = 0
            if buttons[1].button(
                "Step",
                icon=":material/navigate_next:",
                key="pc_rule_step",
                width="stretch",
                disabled=pos >= len(history),
            ):
                pos += 1
            if buttons[2].button(
                "Epoch", icon=":material/last_page:", key="pc_rule_epoch", width="stretch", disabled=pos >= len(history)
            ):
                pos = min(len(history), (pos // 4 + 1) * 4)
            label, icon = (
                ("Pause", ":material/pause:")
                if st.session_state.get("pc_rule_playing")
                else ("Play", ":material/play_arrow:")
            )
            if buttons[3].button(label, icon=icon, key="pc_rule_play", width="stretch", disabled=pos >= len(history)):
                st.session_state.pc_rule_playing = not st.session_state.get("pc_rule_playing")
                st.session_state.pc_rule_pos = pos
                st.rerun()
            if buttons[4].button("End", icon=":material/skip_next:", key="pc_rule_end", width="stretch"):
                pos = len(history)
            st.session_state.pc_rule_pos = pos
            if pos >= len(history) and st.session_state.get("pc_rule_playing"):
                st.session_state.pc_rule_playing = False
                st.rerun()

            done = history[:pos]
            weights = done[-1].weights_after if done else np.array([w1_init, w2_init], float)
            current = done[-1] if done else None
            epoch = current.epoch if current else 1
            buttons[5].markdown(
                f"**Epoch {epoch}**, row {current.row + 1 if current else 0} of 4 · "
                f"weights ({weights[0]:.2f}, {weights[1]:.2f})"
            )
            left, right = st.columns([3, 2], gap="large")
            with left:
                if current:
                    st.latex(_perceptron_step_latex(current, rule_lr, P.STEP_THRESHOLD))
                else:
                    st.caption("Press **Step** to feed the first row, or **Play** to watch.")
                seen = {s.row: s for s in done if s.epoch == epoch}
                pending = "·"
                table = pd.DataFrame(
                    {
                        "x₁": P.LOGIC_INPUTS[:, 0].astype(int),
                        "x₂": P.LOGIC_INPUTS[:, 1].astype(int),
                        "class": P.LOGIC_GATES[gate],
                        "sum": [f"{seen[r].weighted_sum:.2f}" if r in seen else pending for r in range(4)],
                        "prediction": [str(seen[r].prediction) if r in seen else pending for r in range(4)],
                        "error": [str(seen[r].error) if r in seen else pending for r in range(4)],
                        "w₁ after": [f"{seen[r].weights_after[0]:.2f}" if r in seen else pending for r in range(4)],
                        "w₂ after": [f"{seen[r].weights_after[1]:.2f}" if r in seen else pending for r in range(4)],
                    }
                )
                st.markdown(f"**Epoch {epoch}**, row by row")
                st.dataframe(table, hide_index=True, width="stretch")
                finished_epochs = (pos // 4) if pos else 0
                if finished_epochs:
                    accuracy = result.accuracy[:finished_epochs]
                    accuracy_figure = plots.curves(
                        {"accuracy": (list(range(1, finished_epochs + 1)), accuracy)},
                        title="Accuracy per epoch",
                        x_title="epoch",
                        height=230,
                    )
                    accuracy_figure.update_yaxes(range=[0, 1.05], tickformat=".0%")
                    accuracy_figure.update_xaxes(dtick=1 if finished_epochs <= 20 else None)
                    accuracy_figure.update_layout(showlegend=False)
                    st.plotly_chart(accuracy_figure, key="pc_rule_accuracy", config={"displayModeBar": False})
            with right:
                st.plotly_chart(
                    pp.perceptron_plane(
                        P.LOGIC_INPUTS,
                        P.LOGIC_GATES[gate],
                        weights,
                        P.STEP_THRESHOLD,
                        highlight_row=current.row if current else None,
                        height=400,
                    ),
                    key="pc_rule_plane",
                    config={"displayModeBar": False},
                )
            if pos >= len(history):
                if result.converged:
                    st.success(
                        f"{gate} converged after {result.epochs} epoch(s): weights "
                        f"({result.weights[0]:.2f}, {result.weights[1]:.2f}); every row is right.",
                        icon=":material/check_circle:",
                    )
                else:
                    st.warning(
                        f"{gate} did not converge in {result.epochs} epochs"
                        + (
                            " — and never will: no straight line puts (0,1) and (1,0) on one side and "
                            "(0,0) and (1,1) on the other. XOR is **not linearly separable**. A hidden layer "
                            "fixes that: see **3 · Backpropagation by hand**."
                            if gate == "XOR"
                            else ". Raise the maximum number of epochs or the learning rate."
                        ),
                        icon=":material/warning:",
                    )

        perceptron_stepper()
    st.info(
        "**Try this** · AND from zero weights with learning rate 0.1 ends at exactly (0.5, 0.5), as on the slides. "
        "· OR needs larger weights: count its epochs. · XOR: play it and watch the line swing forever. "
        "· Start AND from (1, 1): the errors are now negative and the weights come down.",
        icon=":material/lightbulb:",
    )


# ---------------------------------------------------------------- 3. Backpropagation by hand
def _matrix_frame(matrix: np.ndarray, rows: list[str], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(np.round(matrix, 3), index=rows, columns=columns)


@st.cache_data(show_spinner=False, max_entries=16)
def _train_by_hand(epochs: int, learning_rate: float, bias: bool) -> P.HandTrainingResult:
    w_hidden, w_output = P.COURSE_XOR_W_HIDDEN, P.COURSE_XOR_W_OUTPUT
    if bias:
        w_hidden, w_output = P.add_zero_biases(w_hidden, w_output)
    return P.train_mlp_by_hand(P.LOGIC_INPUTS, P.LOGIC_GATES["XOR"], w_hidden, w_output, learning_rate, epochs, bias)


with tab_backprop:
    X, y = P.LOGIC_INPUTS, P.LOGIC_GATES["XOR"]
    lr = P.COURSE_XOR_LEARNING_RATE
    epoch_one = P.mlp_backprop_epoch(X, y, P.COURSE_XOR_W_HIDDEN, P.COURSE_XOR_W_OUTPUT, lr)
    row_names = [f"({a:g}, {b:g}) → {t}" for (a, b), t in zip(X, y)]
    hidden_cols = ["h1", "h2", "h3"]
    intro, diagram = st.columns([3, 2], gap="large")
    with intro:
        st.markdown(
            "The course's network for XOR: **2 inputs → 3 sigmoid hidden neurons → 1 sigmoid output**, "
            "no bias, learning rate **0.3**, all four rows at once (full batch). One epoch, by hand:"
        )
        st.latex(r"h = \sigma(X W_h) \quad o = \sigma(h\, W_o) \quad e = t - o")
        st.latex(
            r"\text{MSE} = \tfrac{1}{N}\sum e^2 \quad \delta_o = e \cdot o(1-o) \quad "
            r"\delta_h = h(1-h)\cdot \delta_o W_o^\top"
        )
        st.latex(r"W_o \leftarrow W_o + \eta\, h^\top \delta_o \qquad W_h \leftarrow W_h + \eta\, X^\top \delta_h")
    diagram.plotly_chart(
        pp.hand_network_diagram(P.COURSE_XOR_W_HIDDEN, P.COURSE_XOR_W_OUTPUT, height=330),
        key="pc_hand_diagram",
        config={"displayModeBar": False},
    )
    stages = [
        "1 Input → hidden",
        "2 Hidden → output",
        "3 Error & loss",
        "4 Output delta",
        "5 Hidden delta",
        "6 Weight update",
    ]
    stage = st.segmented_control("Step", stages, default=stages[0], key="pc_bp_stage") or stages[0]
    row = st.radio(
        "Row worked out in full", range(4), format_func=lambda i: row_names[i], horizontal=True, key="pc_bp_row"
    )
    x_row, h_row = X[row], epoch_one.hidden[row]
    w_h, w_o = P.COURSE_XOR_W_HIDDEN, P.COURSE_XOR_W_OUTPUT[:, 0]
    table_col, work_col = st.columns([3, 2], gap="large")
    if stage == stages[0]:
        with work_col:
            for j in range(3):
                st.latex(
                    rf"h_{j + 1}: {x_row[0]:g}\times({w_h[0, j]:.3f}) + {x_row[1]:g}\times({w_h[1, j]:.3f}) "
                    rf"= {epoch_one.hidden_sum[row, j]:.3f} \;\xrightarrow{{\sigma}}\; {h_row[j]:.3f}"
                )
        with table_col:
            st.markdown("**Hidden sums** (X · W_h)")
            st.dataframe(_matrix_frame(epoch_one.hidden_sum, row_names, hidden_cols), width="stretch")
            st.markdown("**Hidden activations** σ(sum)")
            st.dataframe(_matrix_frame(epoch_one.hidden, row_names, hidden_cols), width="stretch")
    elif stage == stages[1]:
        with work_col:
            terms = " + ".join(rf"{h_row[j]:.3f}\times({w_o[j]:.3f})" for j in range(3))
            st.latex(rf"{terms} = {epoch_one.output_sum[row, 0]:.3f}")
            st.latex(rf"o = \sigma({epoch_one.output_sum[row, 0]:.3f}) = {epoch_one.output[row, 0]:.3f}")
        with table_col:
            st.dataframe(
                pd.DataFrame(
                    {"sum": epoch_one.output_sum[:, 0], "output o": epoch_one.output[:, 0]}, index=row_names
                ).round(3),
                width="stretch",
            )
    elif stage == stages[2]:
        squared = epoch_one.error[:, 0] ** 2
        with table_col:
            st.dataframe(
                pd.DataFrame(
                    {
                        "class": y,
                        "prediction": epoch_one.output[:, 0],
                        "error": epoch_one.error[:, 0],
                        "error²": squared,
                    },
                    index=row_names,
                ).round(3),
                width="stretch",
            )
        with work_col:
            st.latex(rf"\text{{mean}}|e| = {epoch_one.mean_absolute_error:.3f}")
            st.latex(
                rf"\text{{MSE}} = {squared.sum():.3f} / 4 = {epoch_one.mse:.3f} \qquad "
                rf"\text{{RMSE}} = {epoch_one.rmse:.3f}"
            )
            st.caption("The slides round every intermediate to 3 decimals, so their last digit can differ by one.")
    elif stage == stages[3]:
        o, e = epoch_one.output[row, 0], epoch_one.error[row, 0]
        with work_col:
            st.latex(rf"\sigma' = o(1-o) = {o:.3f}\times{1 - o:.3f} = {o * (1 - o):.3f}")
            st.latex(rf"\delta_o = {e:.3f}\times{o * (1 - o):.3f} = {epoch_one.delta_output[row, 0]:.3f}")
        with table_col:
            out = epoch_one.output[:, 0]
            st.dataframe(
                pd.DataFrame(
                    {"error": epoch_one.error[:, 0], "σ'": out * (1 - out), "δ output": epoch_one.delta_output[:, 0]},
                    index=row_names,
                ).round(3),
                width="stretch",
            )
    elif stage == stages[4]:
        d_o = epoch_one.delta_output[row, 0]
        with work_col:
            for j in range(3):
                st.latex(
                    rf"\delta_{{h{j + 1}}} = {h_row[j] * (1 - h_row[j]):.3f}\times({w_o[j]:.3f})\times({d_o:.3f})"
                    rf" = {epoch_one.delta_hidden[row, j]:.3f}"
                )
        with table_col:
            st.markdown("**Hidden deltas** h(1−h) · w_o · δ_o")
            st.dataframe(_matrix_frame(epoch_one.delta_hidden, row_names, hidden_cols), width="stretch")
    else:
        with table_col:
            st.markdown(f"**Hidden → output**: hᵀδ_o, then W_o + {lr:g} × hᵀδ_o")
            st.dataframe(
                pd.DataFrame(
                    {"before": w_o, "hᵀ δ_o": epoch_one.gradient_output[:, 0], "after": epoch_one.w_output[:, 0]},
                    index=hidden_cols,
                ).round(3),
                width="stretch",
            )
            st.markdown(f"**Input → hidden**: Xᵀδ_h, then W_h + {lr:g} × Xᵀδ_h")
            st.dataframe(
                pd.concat(
                    {
                        "before": _matrix_frame(w_h, ["x₁", "x₂"], hidden_cols),
                        "Xᵀ δ_h": _matrix_frame(epoch_one.gradient_hidden, ["x₁", "x₂"], hidden_cols),
                        "after": _matrix_frame(epoch_one.w_hidden, ["x₁", "x₂"], hidden_cols),
                    },
                    axis=1,
                ),
                width="stretch",
            )
        with work_col:
            for j in range(3):
                st.latex(
                    rf"{w_o[j]:.3f} + {epoch_one.gradient_output[j, 0]:.3f}\times{lr:g} = "
                    rf"\mathbf{{{epoch_one.w_output[j, 0]:.3f}}}"
                )
    st.divider()
    st.subheader("Train on")
    c1, c2, c3 = st.columns([2, 1, 1])
    hand_epochs = c1.select_slider(
        "Epochs", [1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000], value=5000, key="pc_bp_epochs"
    )
    hand_lr = c2.number_input("Learning rate", 0.0, 100.0, lr, 0.1, key="pc_bp_lr", format="%g")
    hand_bias = c3.toggle(
        "Add biases",
        value=False,
        key="pc_bp_bias",
        help="The course's network has none. A bias is a weight on an extra input that is always 1.",
    )
    with ui.guard("Training by hand"):
        with st.spinner("Training…"):
            trained = _train_by_hand(int(hand_epochs), float(hand_lr), bool(hand_bias))
        outputs = P.predict_mlp_by_hand(X, trained.w_hidden, trained.w_output, hand_bias)
        curve_col, map_col = st.columns(2, gap="large")
        with curve_col:
            epochs_axis = np.arange(1, len(trained.mse) + 1)
            st.plotly_chart(
                plots.curves(
                    {"MSE": (epochs_axis, trained.mse)},
                    title="Loss while training",
                    x_title="epoch",
                    log_y=True,
                    height=300,
                ),
                key="pc_bp_curve",
                config={"displayModeBar": False},
            )
            st.dataframe(
                pd.DataFrame(
                    {"class": y, "output": outputs.round(3), "rounded": np.round(outputs).astype(int)}, index=row_names
                ),
                width="stretch",
            )
        with map_col:
            xx, yy, grid = P.mlp_output_map(trained.w_hidden, trained.w_output, hand_bias)
            st.plotly_chart(
                plots.decision_boundary(xx, yy, grid, X, y, title=f"Output after {hand_epochs} epochs", height=360),
                key="pc_bp_map",
                config={"displayModeBar": False},
            )
        right = int(np.sum(np.round(outputs) == y))
        if right == 4:
            st.success(
                f"All four XOR rows right (MSE {trained.mse[-1]:.4f}). A hidden layer bends the boundary "
                "that one perceptron could not.",
                icon=":material/check_circle:",
            )
        else:
            st.warning(
                f"{right} of 4 rows right after {hand_epochs} epochs (MSE {trained.mse[-1]:.4f})."
                + (
                    " Without biases every neuron's line must pass through the origin, and from these "
                    "starting weights the (1, 1) row gets stuck near 0.5 — switch on **Add biases**."
                    if not hand_bias and hand_epochs >= 2000
                    else " Train for more epochs."
                ),
                icon=":material/info:",
            )
    st.info(
        "**Try this** · Step through the six stages and compare with the slides (outputs 0.405 0.431 0.436 0.458, "
        "new output weights −0.007, −0.886, 0.154). · Train 20 000 epochs with and without biases. "
        "· A learning rate of 10 learns faster here; 100 saturates the sigmoids.",
        icon=":material/lightbulb:",
    )


# ---------------------------------------------------------------- 4. Playground
def _playground_settings() -> tuple[dict, mlp.NetworkConfig]:
    """Draw the playground's controls; return the data settings and the network config."""
    top = st.columns([1.2, 1, 1, 1, 1, 1, 1])
    learning_rate = top[0].number_input("Learning rate", 0.0, 1e6, 0.1, 0.01, format="%g", key="pc_pg_lr")
    activation = top[1].selectbox("Activation", mlp.HIDDEN_ACTIVATIONS, key="pc_pg_activation")
    optimizer = top[2].selectbox("Optimizer", mlp.OPTIMIZERS, key="pc_pg_optimizer")
    batch_size = top[3].number_input("Batch size", 1, 500, 10, 1, key="pc_pg_batch")
    regularisation = top[4].selectbox("Regularisation", ["none", "L1", "L2"], key="pc_pg_reg")
    rate = top[5].number_input(
        "Reg. rate", 0.0, 10.0, 0.001, 0.001, format="%g", key="pc_pg_reg_rate", disabled=regularisation == "none"
    )
    use_bias = top[6].toggle("Biases", value=True, key="pc_pg_bias")
    return learning_rate, activation, optimizer, batch_size, regularisation, rate, use_bias


def _data_and_architecture() -> tuple[dict, tuple[str, ...], tuple[int, ...]]:
    data_settings = dict(
        name=st.selectbox("Dataset", mlp.DATASETS, key="pc_pg_dataset"),
        n_points=st.slider("Points", 20, 1000, 300, 20, key="pc_pg_points"),
        noise=st.slider("Noise", 0.0, 0.5, 0.05, 0.01, key="pc_pg_noise"),
        test_fraction=st.slider("Test share", 0.1, 0.9, 0.3, 0.05, key="pc_pg_test"),
    )
    features = tuple(st.multiselect("Input features", list(mlp.FEATURES), default=["x₁", "x₂"], key="pc_pg_features"))
    n_layers = st.number_input("Hidden layers", 0, mlp.MAX_HIDDEN_LAYERS, 2, 1, key="pc_pg_layers")
    widths = []
    defaults = [4, 2, 2, 2, 2, 2]
    width_cols = st.columns(3)
    for i in range(int(n_layers)):
        widths.append(
            int(
                width_cols[i % 3].number_input(
                    f"Layer {i + 1}", 0, mlp.MAX_NEURONS, defaults[i], 1, key=f"pc_pg_width_{i}"
                )
            )
        )
    return data_settings, features, tuple(widths)


@st.cache_data(show_spinner=False, max_entries=32)
def _dataset(name: str, n_points: int, noise: float, test_fraction: float) -> mlp.PlaneData:
    return mlp.make_dataset(name, n_points, noise, test_fraction)


with tab_playground:
    st.latex(
        r"\text{each layer: } a^{(l)} = f\!\left(a^{(l-1)} W^{(l)} + b^{(l)}\right) \qquad "
        r"\text{loss} = -\tfrac1N\sum \log p_{\text{true class}} + \lambda_1\!\sum|w| + \lambda_2\!\sum w^2"
    )
    (learning_rate, activation_name, optimizer_name, batch_size, regularisation, reg_rate, use_bias) = (
        _playground_settings()
    )
    data_col, main_col = st.columns([1, 4], gap="medium")
    with data_col:
        data_settings, features, widths = _data_and_architecture()
    config = mlp.NetworkConfig(
        hidden_layers=widths,
        activation=activation_name,
        learning_rate=float(learning_rate),
        batch_size=int(batch_size),
        l1=reg_rate if regularisation == "L1" else 0.0,
        l2=reg_rate if regularisation == "L2" else 0.0,
        use_bias=use_bias,
        optimizer=optimizer_name,
        features=features,
    )
    architecture = (
        tuple(sorted(data_settings.items())),
        tuple(getattr(config, f) for f in mlp.Trainer.ARCHITECTURE_FIELDS),
    )
    with main_col:
        settings_ok = False
        with ui.guard("The playground"):
            trainer: mlp.Trainer | None = st.session_state.get("pc_pg_trainer")
            wants_reset = st.session_state.pop("pc_pg_reset_requested", False)
            if trainer is None or st.session_state.get("pc_pg_architecture") != architecture or wants_reset:
                data = _dataset(**data_settings)
                trainer = mlp.Trainer(data, config)  # raises ValueError on bad settings: old network kept
                st.session_state.update(pc_pg_trainer=trainer, pc_pg_architecture=architecture, pc_pg_error=None)
            else:
                trainer.update_settings(config)
            settings_ok = True
        if not settings_ok:
            st.session_state.pc_pg_playing = False
            if st.session_state.get("pc_pg_trainer") is not None:
                st.caption("Showing the last valid network until the settings are fixed.")
        trainer = st.session_state.get("pc_pg_trainer")
        if trainer is not None:
            playing = st.session_state.get("pc_pg_playing", False) and settings_ok

            @st.fragment(run_every=PLAY_TICK_S if playing else None)
            def playground_view() -> None:
                steps_per_epoch = max(1, int(np.ceil(len(trainer.x_train) / trainer.config.batch_size)))
                if st.session_state.get("pc_pg_playing") and not st.session_state.get("pc_pg_error"):
                    try:
                        trainer.train_steps(mlp.EPOCHS_PER_FRAME * steps_per_epoch)
                    except mlp.TrainingDiverged as exc:
                        st.session_state.update(pc_pg_playing=False, pc_pg_error=str(exc))
                        st.rerun()
                bar = st.columns([1.1, 1, 1.1, 4.5])
                label, icon = (
                    ("Pause", ":material/pause:")
                    if st.session_state.get("pc_pg_playing")
                    else ("Play", ":material/play_arrow:")
                )
                if bar[0].button(
                    label, icon=icon, key="pc_pg_play", type="primary", width="stretch", disabled=not settings_ok
                ):
                    st.session_state.pc_pg_playing = not st.session_state.get("pc_pg_playing")
                    st.rerun()
                if bar[1].button(
                    "Step",
                    icon=":material/navigate_next:",
                    key="pc_pg_step",
                    width="stretch",
                    help="Train one epoch (one pass over the training points).",
                    disabled=not settings_ok,
                ):
                    try:
                        trainer.train_steps(steps_per_epoch)
                    except mlp.TrainingDiverged as exc:
                        st.session_state.pc_pg_error = str(exc)
                if bar[2].button("Reset", icon=":material/restart_alt:", key="pc_pg_reset", width="stretch"):
                    st.session_state.update(pc_pg_reset_requested=True, pc_pg_playing=False, pc_pg_error=None)
                    st.rerun()
                train_loss, test_loss = trainer.history.train_loss[-1], trainer.history.test_loss[-1]
                train_acc, test_acc = trainer.accuracies()
                bar[3].markdown(
                    f"**Epoch {trainer.epoch:.0f}** · train loss **{train_loss:.3f}** · "
                    f"test loss **{test_loss:.3f}** · test accuracy **{test_acc:.0%}** "
                    f"(train {train_acc:.0%})"
                )
                if st.session_state.get("pc_pg_error"):
                    st.error(st.session_state.pc_pg_error, icon=":material/error:")
                elif warning := trainer.loss_warning():
                    st.warning(warning, icon=":material/warning:")
                network_col, map_col = st.columns([3, 2], gap="medium")
                neuron_grid = mlp.grid_outputs(trainer, NEURON_GRID)
                with network_col:
                    st.plotly_chart(
                        pp.network_diagram(
                            neuron_grid, trainer.network.weights, trainer.config.features, trainer.config.activation
                        ),
                        key="pc_pg_network",
                        config={"displayModeBar": False},
                    )
                with map_col:
                    grid = mlp.grid_outputs(trainer, PLAYGROUND_GRID)
                    data = trainer.data
                    st.plotly_chart(
                        plots.decision_boundary(
                            grid.xx,
                            grid.yy,
                            grid.probabilities,
                            data.x_train,
                            data.y_train,
                            data.x_test,
                            data.y_test,
                            height=360,
                        ),
                        key="pc_pg_map",
                        config={"displayModeBar": False},
                    )
                    history = trainer.history
                    st.plotly_chart(
                        plots.curves(
                            {
                                "train loss": (history.epoch, history.train_loss),
                                "test loss": (history.epoch, history.test_loss),
                            },
                            title="Loss per epoch",
                            x_title=None,
                            height=250,
                        ),
                        key="pc_pg_loss",
                        config={"displayModeBar": False},
                    )

            playground_view()
    st.info(
        "**Try this** · Circle with no hidden layers fails; add the features x₁² and x₂² and it works with none. "
        "· Spiral: 3 layers of 8 tanh neurons and Adam. · Three Gaussians uses a softmax output — "
        "something the TensorFlow Playground cannot do. · Set the learning rate to 1000 and watch it overshoot; "
        "0 is refused. · Filled dots are training points, hollow ones test points.",
        icon=":material/lightbulb:",
    )
