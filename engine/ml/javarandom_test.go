package ml

import "testing"

// The first draws of java.util.Random from seed 42, as the JDK gives them (new Random(42).nextInt() is
// -1170105035; new Random(42).nextDouble() is 0.7275636800328681).
func TestJavaRandomMatchesJDK(t *testing.T) {
	if got := newJavaRandom(42).next(32); got != -1170105035 {
		t.Errorf("nextInt() = %d, want -1170105035", got)
	}
	if got := newJavaRandom(42).nextDouble(); got != 0.7275636800328681 {
		t.Errorf("nextDouble() = %v, want 0.7275636800328681", got)
	}
	// nextInt(bound) for a power of two is (bound * next(31)) >> 31, as the JDK's.
	r := newJavaRandom(42)
	x := int64(newJavaRandom(42).next(31))
	if got := r.nextInt(16); int64(got) != (16*x)>>31 {
		t.Errorf("nextInt(16) = %d, want %d", got, (16*x)>>31)
	}
}

func TestJavaStringHash(t *testing.T) {
	// "hello".hashCode() in Java is 99162322.
	if got := javaStringHash("hello"); got != 99162322 {
		t.Errorf("hash = %d", got)
	}
}
