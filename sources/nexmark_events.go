package sources

// NexmarkEvent is one event of the typed Nexmark stream that NexmarkEventAt generates: a person (ID and
// State), an auction (ID, Seller, Category and Expires) or a bid (Auction, Bidder and Price). TS and
// Expires are epoch milliseconds.
type NexmarkEvent struct {
	Kind     uint8 // NexmarkPersonKind, NexmarkAuctionKind or NexmarkBidKind
	ID       int64
	Auction  int64
	Bidder   int64
	Price    int64
	Seller   int64
	Category int64
	State    string
	Expires  int64
	TS       int64
}

// The kinds of NexmarkEvent.
const (
	NexmarkPersonKind uint8 = iota
	NexmarkAuctionKind
	NexmarkBidKind
)

var nexmarkStates = []string{"AZ", "CA", "ID", "OR", "WA", "WY"}

func nexmarkMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// NexmarkEventAt returns event i of the typed Nexmark stream: the Nexmark rules of NexmarkKind (1 person,
// 3 auctions and 46 bids in 50 events, ids from 1000 by NexmarkLastPerson and NexmarkLastAuction, 10
// events per millisecond from NexmarkBase), with its random choices drawn from a hash of i, so that any
// number of parallel readers generate the same stream. The benchmarks' DataStream queries and the SQL
// connector 'weir-nexmark' read it.
func NexmarkEventAt(i int64) NexmarkEvent {
	h := nexmarkMix(uint64(i))
	ts := NexmarkBase + i/10
	lastPerson := NexmarkLastPerson(i)
	switch NexmarkKind(i) {
	case "person":
		return NexmarkEvent{Kind: NexmarkPersonKind, ID: lastPerson + 1000, State: nexmarkStates[h%uint64(len(nexmarkStates))], TS: ts}
	case "auction":
		seller := (lastPerson/100)*100 + 1000
		if h%4 == 0 {
			seller = max(lastPerson-int64(h>>8%1000), 0) + 1000
		}
		return NexmarkEvent{Kind: NexmarkAuctionKind, ID: NexmarkLastAuction(i) + 1000, Seller: seller, Category: 10 + int64(h>>20%5),
			Expires: ts + 1 + int64(h>>28%20_000), TS: ts}
	}
	lastAuction := NexmarkLastAuction(i)
	auction := (lastAuction / 100) * 100
	if h%2 == 0 {
		auction = max(lastAuction-100+int64(h>>8%111), 0)
	}
	bidder := (lastPerson/100)*100 + 1
	if h>>4%4 == 0 {
		bidder = max(lastPerson-int64(h>>16%1000), 0)
	}
	return NexmarkEvent{Kind: NexmarkBidKind, Auction: auction + 1000, Bidder: bidder + 1000, Price: 100 + int64(h>>24%1_000_000), TS: ts}
}
