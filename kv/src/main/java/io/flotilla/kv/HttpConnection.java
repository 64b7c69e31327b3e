package io.flotilla.kv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.x connection, served like Go's {@code net/http} serves it: requests read with
 * {@link GoRequestDecoder}, one at a time, each handed to the server's workers as an {@link HttpCall}; the next
 * request is read only after the answer to the previous one was written, so pipelined requests are answered in
 * order. Everything here runs on the connection's event loop, except {@link #answer}, {@link #sendContinue} and
 * {@link #abandon}, which hand their work to it.
 *
 * <p>After an answer the connection is kept or closed as Go decides: closed on {@code Connection: close} (HTTP/1.1)
 * or without {@code keep-alive} (HTTP/1.0), after a body over the limit or broken, when a {@code 100-continue}
 * body was never read, or when more than 256 KiB of a body the handler did not read would have to be skipped;
 * a smaller unread body is read and dropped before the answer goes out.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter implements GoRequestDecoder.Sink {
    private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);

    /** Go's {@code maxPostHandlerReadBytes}: how much unread body the server skips to keep a connection. */
    static final int MAX_DISCARD = 256 << 10;
    /** Go's {@code rstAvoidanceDelay}: after closing its side, a connection lingers so the client reads the answer. */
    private static final long LINGER_MILLIS = 500;

    /** What the connection needs from the server. */
    interface Calls {
        /** A call for a request whose head has arrived (counted in flight until answered). */
        HttpCall open(HttpConnection connection, GoRequestDecoder.Head head);

        /** Serves the call, on a worker thread. */
        void serve(HttpCall call);
    }

    /** An answer held back until the body the handler did not read has been skipped. */
    private record Pending(HttpCall call, FullHttpResponse response, Runnable after) {
    }

    private final Calls calls;
    private final GoRequestDecoder decoder = new GoRequestDecoder(this);
    private Channel channel;
    private ByteBuf in;
    private HttpCall current;
    /** The current body has been read to its end, or broke (then nothing more of it can be read). */
    private boolean bodyEnded;
    /** The current body broke in a way that leaves the connection unusable (see {@link #bodyError}). */
    private boolean bodyFailed;
    private boolean bodyFull;
    private boolean continueSent;
    private Pending pending;
    private boolean inputShutdown;
    private boolean closing;

    HttpConnection(Calls calls) {
        this.calls = calls;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        in = ctx.alloc().buffer();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        try {
            if (closing) {
                return; // lingering after the last answer: input is dropped
            }
            in.writeBytes(bytes);
        } finally {
            bytes.release();
        }
        decode();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (!closing) {
                decoder.endOfInput(in);
                if (current == null && !closing) {
                    closeNow(); // between requests: Go closes on EOF without a word
                }
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (current != null) {
            current.body().fail("connection closed"); // a worker waiting for the body stops waiting
        }
        if (pending != null) {
            pending.response().release();
            pending.after().run();
            pending = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        in.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection {}: {}", channel.remoteAddress(), cause.toString());
        closeNow();
    }

    private void decode() {
        if (closing) {
            return;
        }
        decoder.decode(in);
        if (in.readerIndex() > 64 << 10) {
            in.discardSomeReadBytes(); // the decoder keeps no absolute indexes across calls
        }
        updateReading();
    }

    /**
     * Reads from the socket only while something is wanted: a request head, or the current body (up to the
     * limit, or past it once the answer waits for the rest to be skipped). A complete request stops reading until
     * it is answered, so pipelined bytes wait in the socket, not in memory.
     */
    private void updateReading() {
        boolean want;
        if (closing) {
            want = channel.isOpen(); // lingering: drain what the client still sends
        } else if (current == null) {
            want = true;
        } else if (pending != null) {
            want = true;
        } else {
            want = decoder.inBody() && !bodyFull;
        }
        channel.config().setAutoRead(want);
    }

    // ----------------------------------------------------------------------------------------------------------
    // what the decoder finds (event loop)

    @Override
    public void head(GoRequestDecoder.Head head) {
        current = calls.open(this, head);
        bodyEnded = false;
        bodyFailed = false;
        bodyFull = false;
        continueSent = false;
        calls.serve(current);
    }

    @Override
    public void body(ByteBuf content) {
        try {
            if (!current.body().add(content)) {
                bodyFull = true;
            }
        } finally {
            content.release();
        }
        if (pending != null && current.body().received() > MAX_DISCARD) {
            Pending p = pending;
            pending = null;
            write(p.call(), p.response(), p.after(), true);
        }
    }

    @Override
    public void bodyEnd() {
        bodyEnded = true;
        current.body().end();
        if (pending != null) {
            Pending p = pending;
            pending = null;
            write(p.call(), p.response(), p.after(), current.body().received() > MAX_DISCARD);
        }
    }

    @Override
    public void bodyError(String message, boolean poisoned) {
        bodyEnded = true;
        bodyFailed = poisoned;
        current.body().fail(message);
        if (pending != null) {
            Pending p = pending;
            pending = null;
            write(p.call(), p.response(), p.after(), poisoned);
        }
    }

    @Override
    public void refuse(int status, String message) {
        // Go answers these itself, in text/plain, and hangs up; the contract wants JSON.
        byte[] body = (new JsonObject().str("error", message) + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        r.headers().set("Content-Type", "application/json");
        r.headers().set("Connection", "close");
        r.headers().set("Content-Length", Integer.toString(body.length));
        channel.writeAndFlush(r).addListener(f -> lingerAndClose());
        closing = true;
        updateReading();
    }

    // ----------------------------------------------------------------------------------------------------------
    // answers (any thread, handed to the event loop)

    /** Writes the call's answer, then runs {@code after} (even if the connection is gone). */
    void answer(HttpCall call, FullHttpResponse response, Runnable after) {
        onLoop(() -> writeAnswer(call, response, after), () -> {
            response.release();
            after.run();
        });
    }

    /** Sends {@code 100 Continue} if the client waits for it and the call is not answered yet. */
    void sendContinue(HttpCall call) {
        onLoop(() -> {
            if (call == current && !continueSent && !call.answered() && !closing) {
                continueSent = true;
                channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                        Unpooled.EMPTY_BUFFER));
            }
        }, () -> {
        });
    }

    /** Closes the connection instead of answering the call, then runs {@code after}. */
    void abandon(Runnable after) {
        onLoop(() -> {
            closeNow();
            after.run();
        }, after);
    }

    private void onLoop(Runnable task, Runnable ifRejected) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
            return;
        }
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            ifRejected.run(); // the server is shutting down
        }
    }

    private void writeAnswer(HttpCall call, FullHttpResponse response, Runnable after) {
        if (call != current || closing) {
            response.release();
            after.run();
            return;
        }
        GoRequestDecoder.Head head = call.head();
        boolean close = !head.keepAlive10() && head.close() || call.tooLarge() || bodyFailed;
        if (!close && head.contentLength() != 0 && !call.bodyRead()) {
            // What Go's chunkWriter.writeHeader does with a body the handler did not read.
            if (head.expectContinue() || head.contentLength() >= MAX_DISCARD
                    || call.body().received() > MAX_DISCARD) {
                close = true;
            } else if (!bodyEnded) {
                pending = new Pending(call, response, after);
                updateReading();
                return;
            }
        }
        write(call, response, after, close);
    }

    private void write(HttpCall call, FullHttpResponse response, Runnable after, boolean close) {
        GoRequestDecoder.Head head = call.head();
        if (close && head.minor() >= 1) {
            response.headers().set("Connection", "close");
        } else if (head.keepAlive10()) {
            response.headers().set("Connection", "keep-alive");
        }
        boolean last = close || inputShutdown;
        if (last) {
            closing = true;
        }
        channel.writeAndFlush(response).addListener(f -> {
            after.run();
            if (!f.isSuccess()) {
                closeNow();
            } else if (last) {
                lingerAndClose();
            } else {
                nextRequest();
            }
        });
    }

    private void nextRequest() {
        current = null;
        decoder.next();
        decode();
        if (inputShutdown && current == null && !closing) {
            decoder.endOfInput(in); // a request cut short after the last complete one
            if (!closing) {
                closeNow();
            }
        }
    }

    /**
     * Go's {@code closeWriteAndWait}: the client gets a FIN after the answer, and the socket is closed a moment
     * later, so what the client still sends does not turn into a reset that could destroy the answer in flight.
     */
    private void lingerAndClose() {
        closing = true;
        if (channel instanceof SocketChannel s && s.isActive() && !s.isOutputShutdown()) {
            s.shutdownOutput();
            channel.eventLoop().schedule(this::closeNow, LINGER_MILLIS, TimeUnit.MILLISECONDS);
            updateReading();
        } else {
            closeNow();
        }
    }

    private void closeNow() {
        closing = true;
        channel.close();
    }
}
