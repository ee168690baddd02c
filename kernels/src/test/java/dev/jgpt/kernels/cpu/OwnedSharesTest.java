package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How parts claim items of their own and of each other's shares. */
class OwnedSharesTest {

  // the claims of part v's share [start, end) until it is used up, as "first+count"
  private static List<String> claims(OwnedShares shares, int v, int end, int ownerChunk, int maxChunk, boolean stealing) {
    List<String> out = new ArrayList<>();
    for (long c = shares.claim(0, v, end, ownerChunk, maxChunk, stealing); c >= 0;
        c = shares.claim(0, v, end, ownerChunk, maxChunk, stealing)) {
      out.add(OwnedShares.first(c) + "+" + OwnedShares.count(c));
    }
    return out;
  }

  @Test
  void theOwnersClaimsHalveTowardTheEndOfItsShareDownToItsSmallestChunk() {
    OwnedShares shares = new OwnedShares(2, 1);
    shares.reset(0, 1, 48);
    // 96 tiles, part 1 owns [48, 96): 24, 12, 6, 3, then 2 and the last 1 (what is left)
    assertEquals(List.of("48+24", "72+12", "84+6", "90+3", "93+2", "95+1"), claims(shares, 1, 96, 2, 24, false));
  }

  @Test
  void anOwnerWhoseSmallestChunkIsTheLargestClaimsWholeBlocks() {
    OwnedShares shares = new OwnedShares(2, 1);
    shares.reset(0, 0, 0);
    assertEquals(List.of("0+24", "24+24", "48+2"), claims(shares, 0, 50, 24, 24, false));
  }

  @Test
  void anotherPartTakesHalfOfWhatIsLeftDownToSingleItems() {
    OwnedShares shares = new OwnedShares(2, 1);
    shares.reset(0, 1, 10);
    assertEquals(List.of("10+5", "15+3", "18+1", "19+1"), claims(shares, 1, 20, 8, 24, true));
  }

  @Test
  void theOwnerAndAThiefTogetherClaimEveryItemOnce() {
    OwnedShares shares = new OwnedShares(2, 2);
    shares.reset(1, 0, 0);
    boolean[] taken = new boolean[37];
    boolean thief = false;
    for (long c = shares.claim(1, 0, 37, 2, 24, thief); c >= 0; c = shares.claim(1, 0, 37, 2, 24, thief)) {
      for (int i = OwnedShares.first(c); i < OwnedShares.first(c) + OwnedShares.count(c); i++) {
        assertEquals(false, taken[i], "item " + i + " claimed twice");
        taken[i] = true;
      }
      thief = !thief; // owner and thief in turn
    }
    for (int i = 0; i < taken.length; i++) assertEquals(true, taken[i], "item " + i + " never claimed");
  }

  @Test
  void matmulClaimsShrinkOnlyWhereAnotherPartMayTakeThemAndBStaysInL2() {
    // nanoGPT's products: B of 128 x 384 floats, 768 x 128 for dweight
    assertEquals(Gemm.OWNER_TILES, Gemm.smallestOwnClaim(false, 128L * 384));
    assertEquals(Gemm.OWNER_TILES, Gemm.smallestOwnClaim(false, 768L * 128));
    // GPT-2's vocabulary head (768 x 50,304): every row block streams it again from memory
    assertEquals(Gemm.MC_TILES, Gemm.smallestOwnClaim(false, 768L * 50304));
    // a product split by columns is its own part's alone
    assertEquals(Gemm.MC_TILES, Gemm.smallestOwnClaim(true, 128L * 384));
  }
}
