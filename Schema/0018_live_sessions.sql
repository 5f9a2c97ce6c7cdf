-- A live session (现场拍卖): an auctioneer in a room, with the online window, who may hammer an
-- English lot before its end once no higher bid comes (docs/auctions.md, "The hammer").
ALTER TABLE auction_sessions ADD COLUMN live boolean NOT NULL DEFAULT false;
