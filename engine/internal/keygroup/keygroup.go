// Package keygroup assigns keys to key groups and key groups to parallel subtasks, with Flink's formulas.
//
// Key groups are the unit in which keyed state is partitioned and later redistributed when a job is rescaled.
// There are exactly maxParallelism of them. A key's group is hash(key) mod maxParallelism, and subtask i of p
// owns the contiguous range [ceil(i*maxP/p), ((i+1)*maxP-1)/p] (KeyGroupRangeAssignment in Flink).
//
// Hash is stable across processes and machines (it never uses a random seed), because key groups are written
// into checkpoints and must mean the same thing after a restore.
package keygroup

import (
	"fmt"
	"math"
	"math/bits"
	"reflect"
)

// DefaultMaxParallelism is the number of key groups when a job does not set one, as in Flink (128).
const DefaultMaxParallelism = 128

// Range is a contiguous, inclusive range of key groups.
type Range struct {
	Start, End int // inclusive; an empty range has End < Start
}

// Len returns the number of key groups in r.
func (r Range) Len() int { return max(r.End-r.Start+1, 0) }

// Contains reports whether key group g is in r.
func (r Range) Contains(g int) bool { return g >= r.Start && g <= r.End }

// String formats r as Flink does: KeyGroupRange{startKeyGroup=0, endKeyGroup=63}.
func (r Range) String() string { return fmt.Sprintf("[%d..%d]", r.Start, r.End) }

// RangeFor returns the key groups that subtask i of parallelism p owns, given maxP key groups.
func RangeFor(maxP, p, i int) Range {
	start := (i*maxP + p - 1) / p
	end := ((i+1)*maxP - 1) / p
	return Range{Start: start, End: end}
}

// SubtaskFor returns the subtask of parallelism p that owns key group g.
func SubtaskFor(maxP, p, g int) int { return g * p / maxP }

// Of returns the key group of key.
func Of(key any, maxP int) int { return OfHash(Hash(key), maxP) }

// OfHash returns the key group of a key whose Hash is h: h mod maxP, a mask when maxP is a power of two
// (the default 128), which saves a division per record.
func OfHash(h uint32, maxP int) int {
	m := uint32(maxP)
	if m&(m-1) == 0 {
		return int(h & (m - 1))
	}
	return int(h % m)
}

// Hash returns a stable 32-bit hash of a comparable key: strings, booleans, every integer and float kind,
// and structs and arrays made of them. Other kinds are hashed through their %#v text.
func Hash(key any) uint32 {
	switch k := key.(type) {
	case string:
		return fmix32(hashString(k))
	case int:
		return fmix64(uint64(k))
	case int64:
		return fmix64(uint64(k))
	case int32:
		return fmix64(uint64(k))
	case uint64:
		return fmix64(k)
	case uint32:
		return fmix64(uint64(k))
	case uint:
		return fmix64(uint64(k))
	case bool:
		if k {
			return fmix64(1)
		}
		return fmix64(0)
	case float64:
		return fmix64(math.Float64bits(k))
	case nil:
		return 0
	}
	return fmix64(hashValue(reflect.ValueOf(key), 14695981039346656037))
}

// hashString is FNV-1a over the string's bytes.
func hashString(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// fmix32 is MurmurHash3's finalizer; Flink applies murmur to every key's hashCode for the same reason:
// to spread keys whose hashes differ only in a few bits.
func fmix32(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

func fmix64(k uint64) uint32 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return uint32(k) ^ uint32(k>>32)
}

func mix(h, v uint64) uint64 {
	h ^= v
	h *= 1099511628211
	return bits.RotateLeft64(h, 17)
}

func hashValue(v reflect.Value, h uint64) uint64 {
	switch v.Kind() {
	case reflect.String:
		return mix(h, uint64(hashString(v.String())))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return mix(h, uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return mix(h, v.Uint())
	case reflect.Bool:
		if v.Bool() {
			return mix(h, 1)
		}
		return mix(h, 0)
	case reflect.Float32, reflect.Float64:
		return mix(h, math.Float64bits(v.Float()))
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			h = hashValue(v.Field(i), h)
		}
		return h
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			h = hashValue(v.Index(i), h)
		}
		return h
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return mix(h, 0)
		}
		return hashValue(v.Elem(), h)
	}
	return mix(h, uint64(hashString(fmt.Sprintf("%#v", v.Interface()))))
}
