package domain

import "testing"

func TestText_BothWritesEachHalfOnce(t *testing.T) {
	for _, c := range []struct {
		t    Text
		want string
	}{
		{T("Sreekutty", "ശ്രീക്കുട്ടി"), "Sreekutty / ശ്രീക്കുട്ടി"},
		{T("Sreekutty", ""), "Sreekutty"},
		{T("", "ശ്രീക്കുട്ടി"), "ശ്രീക്കുട്ടി"},
		{T(" Nil ", "Nil"), "Nil"},
		{T("", ""), ""},
	} {
		if got := c.t.Both(); got != c.want {
			t.Errorf("%+v.Both() = %q, want %q", c.t, got, c.want)
		}
	}
}
