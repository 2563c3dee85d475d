package org.bulwark.store;

import org.agrona.DirectBuffer;

/**
 * Receives the nodes of a scanned subtree in depth-first (collation) order. No latch is held
 * while it runs, so it may update the store; the key and value are only valid during the call.
 */
@FunctionalInterface
public interface ScanVisitor
{
    /**
     * @return false to stop the scan.
     */
    boolean visit(GlobalKey key, DirectBuffer value, int offset, int length);
}
