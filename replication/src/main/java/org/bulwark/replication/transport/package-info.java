/**
 * The mirror transport (SPEC M-5): one embedded Aeron media driver per member ({@link
 * org.bulwark.replication.transport.MirrorDriver}) and one link per pair of failover members ({@link
 * org.bulwark.replication.transport.MirrorLink}) that sends and receives the messages of {@link
 * org.bulwark.replication.protocol}. Failover state machines sit on top and own all timing decisions:
 * the transport only says what arrived and when.
 */
package org.bulwark.replication.transport;
