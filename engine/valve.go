package engine

// channelValve combines the watermarks and idleness of one input's channels, exactly as Flink's
// StatusWatermarkValve: the output is the minimum over the channels that are active and aligned, and never
// goes back. A channel that becomes idle is left out (unaligned); when it becomes active again it counts only
// once its watermark has caught up with the output. When the last active channel becomes idle, the valve
// flushes the largest watermark of all its channels (if the idle channel held the output back) and its output
// becomes idle, so event time does not stall behind inputs that have nothing to say
// (StatusWatermarkValve#findAndOutputMaxWatermarkAcrossAllChannels). Watermarks of idle channels, and every
// watermark while the output is idle, are ignored. As in Flink, the valve is not told that a channel ended:
// a channel ends after its final watermark (MaxWatermark), which no longer holds the output back.
type channelValve struct {
	wm      []int64
	idle    []bool
	aligned []bool
	out     int64
	outIdle bool
}

func newChannelValve(n int) *channelValve {
	v := &channelValve{wm: make([]int64, n), idle: make([]bool, n), aligned: make([]bool, n), out: MinWatermark}
	for i := range v.wm {
		v.wm[i] = MinWatermark
		v.aligned[i] = true
	}
	return v
}

// watermark records channel ch's watermark and returns the new output watermark if it advanced.
func (v *channelValve) watermark(ch int, wm int64) (int64, bool) {
	if v.outIdle || v.idle[ch] || wm <= v.wm[ch] {
		return 0, false
	}
	v.wm[ch] = wm
	if !v.aligned[ch] && wm >= v.out {
		v.aligned[ch] = true // a channel that was idle is aligned again once it has caught up
	}
	return v.newMin()
}

// newMin advances the output to the minimum over the aligned channels, if that is higher.
func (v *channelValve) newMin() (int64, bool) {
	lowest, any := MaxWatermark, false
	for i := range v.wm {
		if v.aligned[i] {
			lowest, any = min(lowest, v.wm[i]), true
		}
	}
	if any && lowest > v.out {
		v.out = lowest
		return lowest, true
	}
	return 0, false
}

// flushMax advances the output to the largest watermark of all channels, if that is higher.
func (v *channelValve) flushMax() (int64, bool) {
	highest := MinWatermark
	for _, wm := range v.wm {
		highest = max(highest, wm)
	}
	if highest > v.out {
		v.out = highest
		return highest, true
	}
	return 0, false
}

func (v *channelValve) anyActive() bool {
	for _, idle := range v.idle {
		if !idle {
			return true
		}
	}
	return false
}

// status records channel ch becoming idle or active (StatusWatermarkValve#inputWatermarkStatus). It returns
// the output watermark if it advanced (emitted first) and the output's new idleness if that changed.
func (v *channelValve) status(ch int, idle bool) (wm int64, advanced bool, outIdle bool, changed bool) {
	switch {
	case idle && !v.idle[ch]:
		v.idle[ch], v.aligned[ch] = true, false
		if !v.anyActive() {
			if v.wm[ch] == v.out {
				wm, advanced = v.flushMax()
			}
			v.outIdle, changed = true, true
		} else if v.wm[ch] == v.out {
			wm, advanced = v.newMin()
		}
	case !idle && v.idle[ch]:
		v.idle[ch] = false
		if v.wm[ch] >= v.out {
			v.aligned[ch] = true
		}
		if v.outIdle {
			v.outIdle, changed = false, true
		}
	}
	return wm, advanced, v.outIdle, changed
}

// valve is the watermark and idleness input of a subtask: one channelValve per input, combined as Flink's
// AbstractStreamOperator combines the inputs of a two-input operator (CombinedWatermarkStatus): the output is
// the minimum over the inputs that are not idle and idle when every input is. Unlike a channelValve, the
// combination does not flush when its last input becomes idle. With a single input it passes the
// channelValve's output through.
type valve struct {
	inputs  []*channelValve
	input   []int // input of each channel
	local   []int // index of each channel within its input's valve
	ended   []bool
	wm      []int64 // output of each input's valve
	idle    []bool  // idleness of each input's valve
	out     int64
	outIdle bool
}

// newValve returns the valve of a gate whose channel i belongs to input inputs[i].
func newValve(inputs []int) *valve {
	n := 0
	for _, in := range inputs {
		n = max(n, in+1)
	}
	v := &valve{input: inputs, local: make([]int, len(inputs)), ended: make([]bool, len(inputs)),
		wm: make([]int64, n), idle: make([]bool, n), out: MinWatermark}
	counts := make([]int, n)
	for ch, in := range inputs {
		v.local[ch] = counts[in]
		counts[in]++
	}
	for in := range n {
		v.inputs = append(v.inputs, newChannelValve(counts[in]))
		v.wm[in] = MinWatermark
	}
	return v
}

// watermark records channel ch's watermark and returns the subtask's new input watermark if it advanced.
func (v *valve) watermark(ch int, wm int64) (int64, bool) {
	in := v.input[ch]
	w, ok := v.inputs[in].watermark(v.local[ch], wm)
	if !ok {
		return 0, false
	}
	v.wm[in], v.idle[in] = w, false
	return v.combine()
}

// combine is CombinedWatermarkStatus#updateCombinedWatermark.
func (v *valve) combine() (int64, bool) {
	lowest, allIdle := MaxWatermark, true
	for in := range v.wm {
		if !v.idle[in] {
			lowest, allIdle = min(lowest, v.wm[in]), false
		}
	}
	if !allIdle && lowest > v.out {
		v.out = lowest
		return lowest, true
	}
	return 0, false
}

// status records channel ch becoming idle or active. It returns the subtask's input watermark if it
// advanced and the subtask's new idleness if that changed.
func (v *valve) status(ch int, idle bool) (wm int64, advanced bool, outIdle bool, changed bool) {
	in := v.input[ch]
	w, adv, inIdle, inChanged := v.inputs[in].status(v.local[ch], idle)
	return v.update(in, w, adv, inIdle, inChanged)
}

// update applies what input in's valve emitted: first its watermark, then its idleness.
func (v *valve) update(in int, w int64, adv, inIdle, inChanged bool) (wm int64, advanced bool, outIdle bool, changed bool) {
	if adv {
		v.wm[in] = w
		if !v.idle[in] {
			wm, advanced = v.combine()
		}
	}
	if inChanged {
		v.idle[in] = inIdle
		if w2, ok := v.combine(); ok {
			wm, advanced = w2, true
		}
	}
	all := true
	for _, i := range v.idle {
		all = all && i
	}
	if all != v.outIdle {
		v.outIdle, changed = all, true
	}
	return wm, advanced, v.outIdle, changed
}

// end records that channel ch has ended and reports whether every channel has.
func (v *valve) end(ch int) bool {
	v.ended[ch] = true
	for _, e := range v.ended {
		if !e {
			return false
		}
	}
	return true
}
