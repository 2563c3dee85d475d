/**
 * The mirror's wire messages (SPEC M-5): hand-written Agrona flyweights, little-endian, one Aeron message
 * each, every one led by {@link org.bulwark.replication.protocol.MessageFlyweight}'s common header.
 * Reading goes through a flyweight wrapped over the received bytes; writing through each message's
 * static {@code encode}, which takes every field at once so that no half-written message can be sent.
 */
package org.bulwark.replication.protocol;
