package ml

import "math/bits"

// murmur3 is Guava's Hashing.murmur3_32(seed) (MurmurHash3 x86 32-bit), which Flink ML's HashingTF uses
// with seed 0: hashInt, hashLong and hashUnencodedChars (a string's UTF-16 code units, two to a block).
type murmur3 uint32

const (
	murmurC1 = 0xcc9e2d51
	murmurC2 = 0x1b873593
)

func murmurMixK1(k1 uint32) uint32 {
	k1 *= murmurC1
	k1 = bits.RotateLeft32(k1, 15)
	return k1 * murmurC2
}

func murmurMixH1(h1, k1 uint32) uint32 {
	h1 ^= k1
	h1 = bits.RotateLeft32(h1, 13)
	return h1*5 + 0xe6546b64
}

func murmurFmix(h1 uint32, length int) int32 {
	h1 ^= uint32(length)
	h1 ^= h1 >> 16
	h1 *= 0x85ebca6b
	h1 ^= h1 >> 13
	h1 *= 0xc2b2ae35
	h1 ^= h1 >> 16
	return int32(h1)
}

// hashInt is Guava's HashFunction.hashInt.
func (s murmur3) hashInt(v int32) int32 {
	return murmurFmix(murmurMixH1(uint32(s), murmurMixK1(uint32(v))), 4)
}

// hashLong is Guava's HashFunction.hashLong.
func (s murmur3) hashLong(v int64) int32 {
	h1 := murmurMixH1(uint32(s), murmurMixK1(uint32(v)))
	h1 = murmurMixH1(h1, murmurMixK1(uint32(uint64(v)>>32)))
	return murmurFmix(h1, 8)
}

// hashUnencodedChars is Guava's HashFunction.hashUnencodedChars on s's UTF-16 code units.
func (s murmur3) hashUnencodedChars(str string) int32 {
	units := utf16Units(str)
	h1 := uint32(s)
	for i := 1; i < len(units); i += 2 {
		h1 = murmurMixH1(h1, murmurMixK1(uint32(units[i-1])|uint32(units[i])<<16))
	}
	if len(units)%2 == 1 {
		h1 ^= murmurMixK1(uint32(units[len(units)-1]))
	}
	return murmurFmix(h1, 2*len(units))
}

func utf16Units(s string) []uint16 {
	out := make([]uint16, 0, len(s))
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}
