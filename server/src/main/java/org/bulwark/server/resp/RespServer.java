package org.bulwark.server.resp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.bulwark.server.Instance;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The RESP client port of a member (SPEC V-2, V-7): Redis clients, {@code redis-cli} and
 * {@code redis-benchmark} talk to the instance's globals through it. Netty, with the native epoll
 * transport where available (NIO otherwise); optional TLS and AUTH.
 *
 * <pre>
 * try (RespServer server = new RespServer(instance, config.respConfig()).start())
 * {
 *     ... server.port() ...
 * }   // close before the instance: open transactions of clients roll back, their locks go
 * </pre>
 */
public final class RespServer implements AutoCloseable
{
    static final String SUBSYSTEM = "RESP";
    private static final long CLOSE_TIMEOUT_MS = 10_000;

    private final Instance instance;
    private final RespConfig config;
    private final boolean epoll = Epoll.isAvailable();
    private final ChannelGroup channels = new DefaultChannelGroup("bulwark-resp", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup group;
    private ExecutorService blockingExecutor;
    private Channel serverChannel;
    private RespServerContext context;
    private boolean closed;

    /**
     * @param config validated here: a non-loopback bind without a password is refused.
     */
    public RespServer(final Instance instance, final RespConfig config)
    {
        this.instance = instance;
        this.config = config.validate();
    }

    /**
     * Bind the port and start serving.
     *
     * @return this.
     * @throws IOException if the port cannot be bound or the TLS files cannot be used.
     */
    public RespServer start() throws IOException
    {
        if (null != serverChannel)
        {
            throw new IllegalStateException("the RESP server is already started");
        }
        final SslContext ssl = config.tlsEnabled() ? sslContext() : null;
        final IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        // Half the processors by default: the journal writer (or the loop syncing inline) and the write
        // daemon need the rest; on 2 vCPUs one loop served 64 clients 15-20 % faster than two.
        final int ioThreads = 0 == config.ioThreads() ?
            Math.max(1, Runtime.getRuntime().availableProcessors() / 2) : config.ioThreads();
        group = new MultiThreadIoEventLoopGroup(Math.max(1, ioThreads),
            new DefaultThreadFactory("bulwark-resp", true), io);
        blockingExecutor = Executors.newCachedThreadPool(new DefaultThreadFactory("bulwark-resp-blocking", true));
        context = new RespServerContext(instance, config, blockingExecutor, epoll ? "epoll" : "nio");
        final Class<? extends ServerChannel> channelClass = epoll ?
            EpollServerSocketChannel.class : NioServerSocketChannel.class;
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(group)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            // A client that half-closes still gets the replies to what it sent (then we close).
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel channel)
                {
                    channels.add(channel);
                    final ChannelPipeline pipeline = channel.pipeline();
                    if (null != ssl)
                    {
                        pipeline.addLast("tls", ssl.newHandler(channel.alloc()));
                    }
                    pipeline.addLast("decoder", new RespDecoder(config));
                    pipeline.addLast("connection", new RespConnection(context));
                }
            });
        try
        {
            serverChannel = bootstrap.bind(config.bind(), config.port()).syncUninterruptibly().channel();
        }
        catch (final RuntimeException ex)
        {
            close();
            throw new IOException("the RESP server cannot listen on " + config.bind() + ":" + config.port() +
                " (resp.bind, resp.port): " + ex.getMessage(), ex);
        }
        context.port(port());
        instance.log().info(SUBSYSTEM, "RESP server listening on " + config.bind() + ":" + port() + " (" +
            context.transport() + ", TLS " + (config.tlsEnabled() ? "on" : "off") + ", AUTH " +
            (config.authRequired() ? "required" : "off") + ", plain keys in ^" + config.global() + ")");
        return this;
    }

    private SslContext sslContext() throws IOException
    {
        try
        {
            return SslContextBuilder.forServer(config.tlsCertificate().toFile(), config.tlsPrivateKey().toFile())
                .sslProvider(SslProvider.JDK)
                .build();
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IOException("TLS cannot use certificate " + config.tlsCertificate() + " and key " +
                config.tlsPrivateKey() + " (tls.certificate, tls.privateKey; PEM, key in PKCS#8): " + ex.getMessage(),
                ex);
        }
    }

    /**
     * @return the bound port (the one chosen when {@code resp.port} is 0).
     */
    public int port()
    {
        return ((InetSocketAddress)serverChannel.localAddress()).getPort();
    }

    /**
     * @return where it listens, as {@code bulwark run} and {@code bulwark status} print it.
     */
    @Override
    public String toString()
    {
        return "RESP on " + config.bind() + ":" + (null == serverChannel ? config.port() : port()) +
            (config.tlsEnabled() ? " (TLS)" : "");
    }

    /**
     * Stop accepting, disconnect every client (open transactions roll back, locks are released),
     * stop the threads. Call before closing the instance.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != serverChannel)
        {
            serverChannel.close().awaitUninterruptibly(CLOSE_TIMEOUT_MS);
        }
        channels.close().awaitUninterruptibly(CLOSE_TIMEOUT_MS);
        if (null != group)
        {
            group.shutdownGracefully(0, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(CLOSE_TIMEOUT_MS + 1_000);
        }
        if (null != blockingExecutor)
        {
            blockingExecutor.shutdown(); // sessions closing with a rollback still finish
            try
            {
                if (!blockingExecutor.awaitTermination(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS))
                {
                    instance.log().warning(SUBSYSTEM, "blocking requests still running after " + CLOSE_TIMEOUT_MS +
                        " ms; the instance's close rolls their sessions back");
                    blockingExecutor.shutdownNow();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (null != serverChannel)
        {
            instance.log().info(SUBSYSTEM, "RESP server stopped");
        }
    }
}
