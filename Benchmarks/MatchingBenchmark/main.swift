// Throughput and allocations of the Matching engines on one core.
//
// Run: swift build -c release --product MatchingBenchmark && .build/release/MatchingBenchmark [--quick]
//
// Allocations are counted honestly, by count rather than by bytes: the benchmark re-executes
// itself with glibc's libc_malloc_debug.so preloaded, which restores the malloc/realloc/memalign
// hooks, and a hook counts every call. Swift objects, array buffers and raw allocations all go
// through malloc, so nothing escapes the count. If the library is missing, counting is reported
// as unavailable rather than guessed.
import Glibc
import Matching

// MARK: - Allocation counting

typealias MallocHook = @convention(c) (Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?
typealias ReallocHook = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?
typealias MemalignHook = @convention(c) (Int, Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?

@_silgen_name("dlvsym")
func dlvsym(_ handle: UnsafeMutableRawPointer?, _ symbol: UnsafePointer<CChar>, _ version: UnsafePointer<CChar>) -> UnsafeMutableRawPointer?

nonisolated(unsafe) var allocationCount: Int = 0
nonisolated(unsafe) var mallocSlot: UnsafeMutablePointer<MallocHook?>?
nonisolated(unsafe) var reallocSlot: UnsafeMutablePointer<ReallocHook?>?
nonisolated(unsafe) var memalignSlot: UnsafeMutablePointer<MemalignHook?>?

// Each hook counts, unhooks itself for the real call (the glibc manual's pattern), and rehooks.
nonisolated(unsafe) let countingMalloc: MallocHook = { size, _ in
    allocationCount &+= 1
    let saved = mallocSlot!.pointee
    mallocSlot!.pointee = nil
    let p = malloc(size)
    mallocSlot!.pointee = saved
    return p
}
nonisolated(unsafe) let countingRealloc: ReallocHook = { old, size, _ in
    allocationCount &+= 1
    let saved = reallocSlot!.pointee
    reallocSlot!.pointee = nil
    let p = realloc(old, size)
    reallocSlot!.pointee = saved
    return p
}
nonisolated(unsafe) let countingMemalign: MemalignHook = { alignment, size, _ in
    allocationCount &+= 1
    let saved = memalignSlot!.pointee
    memalignSlot!.pointee = nil
    var p: UnsafeMutableRawPointer?
    _ = posix_memalign(&p, alignment, size)
    memalignSlot!.pointee = saved
    return p
}

let debugLibraryPath = "/lib/x86_64-linux-gnu/libc_malloc_debug.so.0"

/// Re-executes under the malloc debug library if needed; returns whether counting is active.
func installAllocationCounter() -> Bool {
    if getenv("MATCHING_BENCH_CHILD") == nil, access(debugLibraryPath, R_OK) == 0 {
        setenv("MATCHING_BENCH_CHILD", "1", 1)
        setenv("LD_PRELOAD", debugLibraryPath, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        return false // exec failed: carry on without counting
    }
    guard let handle = dlopen(debugLibraryPath, RTLD_NOW | RTLD_NOLOAD),
          let m = dlvsym(handle, "__malloc_hook", "GLIBC_2.2.5"),
          let r = dlvsym(handle, "__realloc_hook", "GLIBC_2.2.5"),
          let a = dlvsym(handle, "__memalign_hook", "GLIBC_2.2.5")
    else { return false }
    mallocSlot = m.assumingMemoryBound(to: MallocHook?.self)
    reallocSlot = r.assumingMemoryBound(to: ReallocHook?.self)
    memalignSlot = a.assumingMemoryBound(to: MemalignHook?.self)
    mallocSlot!.pointee = countingMalloc
    reallocSlot!.pointee = countingRealloc
    memalignSlot!.pointee = countingMemalign
    // Prove the counter sees an allocation before trusting a zero.
    let before = allocationCount
    let probe = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
    probe.deallocate()
    return allocationCount > before
}

func nowNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// xorshift64*: a cheap deterministic generator for the workload itself.
struct Xorshift {
    var state: UInt64
    @inline(__always) mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

struct Measurement {
    var commands: Int = 0
    var primaryCommands: Int = 0
    var nanoseconds: UInt64 = 0
    var allocations: Int = 0
}

func report(_ title: String, _ unit: String, _ m: Measurement, counting: Bool) {
    let seconds = Double(m.nanoseconds) / 1e9
    let perSecond = Double(m.primaryCommands) / seconds
    let allCommands = Double(m.commands) / seconds
    let allocs = counting ? "\(Double(m.allocations) / Double(m.commands)) (\(m.allocations) in \(m.commands) commands)" : "unavailable"
    print(title)
    print("  \(unit)/s:               \(Int(perSecond))")
    print("  all commands/s:          \(Int(allCommands))")
    print("  ns per command:          \(Double(m.nanoseconds) / Double(m.commands))")
    print("  heap allocations/command: \(allocs)")
}

// MARK: - (a) English auctions with many proxy bidders

func benchmarkEnglish(auctionCount: Int, biddersPerAuction: Int, commandCount: Int, counting: Bool) -> Measurement {
    let startAtMs: Int64 = 1_700_000_000_000
    let config = EnglishAuctionConfig(
        openingPriceFen: 1_000_000, reserveFen: 5_000_000, incrementFen: 10_000, startAtMs: startAtMs,
        endAtMs: startAtMs + 3_600_000, extensionWindowMs: 300_000, extensionCountMax: nil, bidderCountMax: biddersPerAuction)
    var auctions: [EnglishAuction] = []
    auctions.reserveCapacity(auctionCount)
    var events: [AuctionEvent] = []
    events.reserveCapacity(16)
    var commandID: UInt64 = 1
    for a in 0..<auctionCount {
        var auction = try! EnglishAuction(config: config)
        for b in 0..<biddersPerAuction {
            let bidder = PartyID(UInt64(a * 1_000_003 + b * 7 + 1))
            auction.apply(AuctionCommand(id: CommandID(commandID), atMs: startAtMs - 1, action: .register(bidder)), into: &events)
            commandID += 1
            events.removeAll(keepingCapacity: true)
        }
        auctions.append(auction)
    }

    var rng = Xorshift(state: 0x9E37_79B9_7F4A_7C15)
    var atMs = startAtMs
    var accepted = 0
    func run(_ count: Int) {
        for i in 0..<count {
            let a = i % auctionCount
            let b = Int(rng.next() % UInt64(biddersPerAuction))
            let bidder = PartyID(UInt64(a * 1_000_003 + b * 7 + 1))
            let r = rng.next()
            let minimum = auctions[a].minimumBidFen
            // Three in four are proxy bids; one in sixteen is too low and is refused.
            let action: AuctionAction
            switch r & 15 {
            case 0: action = .proxyBid(bidder, maxFen: minimum - 1)
            case 1..<12: action = .proxyBid(bidder, maxFen: minimum + Int64((r >> 8) % 16) * 10_000)
            default: action = .bid(bidder, amountFen: minimum + Int64((r >> 8) % 3) * 10_000)
            }
            if i & 255 == 0 { atMs += 1_000 }
            auctions[a].apply(AuctionCommand(id: CommandID(commandID), atMs: atMs, action: action), into: &events)
            commandID += 1
            if case .bidAccepted = events.first { accepted &+= 1 }
            events.removeAll(keepingCapacity: true)
        }
    }
    run(commandCount / 10) // warm-up: caches, branch predictors, lazily created runtime data

    var m = Measurement()
    let allocationsBefore = allocationCount
    let t0 = nowNs()
    run(commandCount)
    m.nanoseconds = nowNs() - t0
    m.allocations = allocationCount - allocationsBefore
    m.commands = commandCount
    m.primaryCommands = commandCount
    precondition(accepted > commandCount / 4, "the workload should mostly place acceptable bids")
    print("  (English: \(accepted) of \(commandCount + commandCount / 10) bids accepted; \(auctionCount) lots × \(biddersPerAuction) proxy bidders; end extended to +\((auctions[0].endAtMs - config.endAtMs) / 1000)s)")
    return m
}

// MARK: - (b) Listed-price matching with many offers

func benchmarkListing(bookCount: Int, offersPerBook: Int, rounds: Int, counting: Bool) -> Measurement {
    let ask: Int64 = 100_000_000
    let config = ListingBookConfig(
        askFen: ask, mode: .nonExclusiveLicence, seatCount: MatchingLimits.seatCountMax, matchOnArrival: false,
        offerCountMax: offersPerBook)
    var m = Measurement()
    var rng = Xorshift(state: 0xD1B5_4A32_D192_ED03)
    var events: [ListingEvent] = []
    events.reserveCapacity(config.seatCount + 2)
    var fills = 0
    for round in 0..<rounds {
        // Setup (not timed): fresh books, all storage reserved by init.
        var books: [ListingBook] = []
        books.reserveCapacity(bookCount)
        for _ in 0..<bookCount { books.append(try! ListingBook(config: config)) }
        var commandID: UInt64 = 1
        var placed = [Int](repeating: 0, count: bookCount)
        let commandsPerRound = bookCount * offersPerBook * 100 / 88
        var offers = 0
        let allocationsBefore = allocationCount
        let t0 = nowNs()
        for i in 0..<commandsPerRound {
            let k = i % bookCount
            let r = rng.next()
            let action: ListingAction
            switch r % 100 {
            case 0..<88:
                guard placed[k] < offersPerBook else { continue }
                placed[k] += 1
                let offerID = OfferID(UInt64(round) << 40 | UInt64(k) << 32 | UInt64(placed[k]))
                // About a fifth of the offers meet the ask; ties are common (prices in 1,000-fen steps).
                let price = ask + (Int64((r >> 8) % 250) - 200) * 1_000
                action = .placeOffer(offerID, buyer: PartyID(offerID.rawValue), priceFen: price)
                offers += 1
            case 88..<98:
                let victim = placed[k] == 0 ? 1 : Int((r >> 8) % UInt64(placed[k])) + 1
                action = .cancelOffer(OfferID(UInt64(round) << 40 | UInt64(k) << 32 | UInt64(victim)))
            default:
                action = .match
            }
            books[k].apply(ListingCommand(id: CommandID(commandID), atMs: 1_700_000_000_000 + Int64(i), action: action), into: &events)
            commandID += 1
            for e in events { if case .filled = e { fills &+= 1 } }
            events.removeAll(keepingCapacity: true)
            m.commands += 1
        }
        m.nanoseconds += nowNs() - t0
        m.allocations += allocationCount - allocationsBefore
        m.primaryCommands += offers
        precondition(books.allSatisfy { $0.isOpen }, "the workload should not sell out")
    }
    print("  (listing: \(fills) fills; \(bookCount) books × \(offersPerBook) offers per round, \(rounds) rounds; 88% offers, 10% cancels, 2% matches)")
    return m
}

// MARK: - Main

let quick = CommandLine.arguments.contains("--quick")
let counting = installAllocationCounter()
print("Matching benchmark (release build, one thread); allocation counting: \(counting ? "on (malloc hooks)" : "unavailable")")
let english = benchmarkEnglish(
    auctionCount: 64, biddersPerAuction: 1_000, commandCount: quick ? 2_000_000 : 20_000_000, counting: counting)
report("(a) English auctions, proxy and manual bids", "bid commands", english, counting: counting)
let listing = benchmarkListing(bookCount: 4, offersPerBook: 250_000, rounds: quick ? 1 : 4, counting: counting)
report("(b) Listed-price matching", "offers", listing, counting: counting)
