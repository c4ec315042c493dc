// Command rettarget is the binary the uretprobe benchmark probes: its
// manyReturns has one return instruction per case of its switch.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	n := 1000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	s := 0
	for i := 0; i < n; i++ {
		s += manyReturns(i)
	}
	fmt.Println(s)
}

// manyReturns returns from 64 places.
//
//go:noinline
func manyReturns(v int) int {
	switch v % 64 {
	case 0:
		return v*3 + 1
	case 1:
		return v*4 + 8
	case 2:
		return v*5 + 15
	case 3:
		return v*6 + 22
	case 4:
		return v*7 + 29
	case 5:
		return v*8 + 36
	case 6:
		return v*9 + 43
	case 7:
		return v*10 + 50
	case 8:
		return v*11 + 57
	case 9:
		return v*12 + 64
	case 10:
		return v*13 + 71
	case 11:
		return v*14 + 78
	case 12:
		return v*15 + 85
	case 13:
		return v*16 + 92
	case 14:
		return v*17 + 99
	case 15:
		return v*18 + 106
	case 16:
		return v*19 + 113
	case 17:
		return v*20 + 120
	case 18:
		return v*21 + 127
	case 19:
		return v*22 + 134
	case 20:
		return v*23 + 141
	case 21:
		return v*24 + 148
	case 22:
		return v*25 + 155
	case 23:
		return v*26 + 162
	case 24:
		return v*27 + 169
	case 25:
		return v*28 + 176
	case 26:
		return v*29 + 183
	case 27:
		return v*30 + 190
	case 28:
		return v*31 + 197
	case 29:
		return v*32 + 204
	case 30:
		return v*33 + 211
	case 31:
		return v*34 + 218
	case 32:
		return v*35 + 225
	case 33:
		return v*36 + 232
	case 34:
		return v*37 + 239
	case 35:
		return v*38 + 246
	case 36:
		return v*39 + 253
	case 37:
		return v*40 + 260
	case 38:
		return v*41 + 267
	case 39:
		return v*42 + 274
	case 40:
		return v*43 + 281
	case 41:
		return v*44 + 288
	case 42:
		return v*45 + 295
	case 43:
		return v*46 + 302
	case 44:
		return v*47 + 309
	case 45:
		return v*48 + 316
	case 46:
		return v*49 + 323
	case 47:
		return v*50 + 330
	case 48:
		return v*51 + 337
	case 49:
		return v*52 + 344
	case 50:
		return v*53 + 351
	case 51:
		return v*54 + 358
	case 52:
		return v*55 + 365
	case 53:
		return v*56 + 372
	case 54:
		return v*57 + 379
	case 55:
		return v*58 + 386
	case 56:
		return v*59 + 393
	case 57:
		return v*60 + 400
	case 58:
		return v*61 + 407
	case 59:
		return v*62 + 414
	case 60:
		return v*63 + 421
	case 61:
		return v*64 + 428
	case 62:
		return v*65 + 435
	}
	return v - 1
}
