package nobankid

// validFodselsnummer checks the form of a fødselsnummer: 11 digits with both
// mod-11 check digits right. It is a guard on what is sent upstream and taken
// from it, not a register lookup.
func validFodselsnummer(s string) bool {
	if len(s) != 11 {
		return false
	}
	d := make([]int, 11)
	for i := range s {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		d[i] = int(s[i] - '0')
	}
	check := func(weights []int) int {
		sum := 0
		for i, w := range weights {
			sum += w * d[i]
		}
		k := 11 - sum%11
		if k == 11 {
			k = 0
		}
		return k
	}
	return check([]int{3, 7, 6, 1, 8, 9, 4, 5, 2}) == d[9] && check([]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}) == d[10]
}
