import ArgumentParser

/// The TechMarket command line: the server and the admins' tools.
@main
struct TechMarket: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "techmarket",
        abstract: "TechMarket: the county technology market's backend and admin tools.",
        subcommands: [
            Serve.self, DB.self, Fixtures.self, LedgerCommand.self, KeysCommand.self, PartiesCommand.self, VouchersCommand.self,
            OffersCommand.self, AuctionsCommand.self, DepositsCommand.self, VolumeCommand.self,
        ]
    )
}
