#!/usr/bin/python3
"""PyTorch reference for belamy's GPT training, written independently of belamy's Java code.

The same GPT-2 architecture as Hugging Face's GPT2LMHeadModel (pre-LayerNorm blocks, gelu_new,
learned positions, output tied to the token embedding; Conv1D weights stored [in, out]), trained
with torch.optim.AdamW, global-norm clipping and warm-up + cosine/linear decay.

Usage:
  gpt_reference.py train DIR    read DIR/model.safetensors, DIR/batches.safetensors and
                                DIR/training.json; train one step per batch; print JSON
                                {"losses": [...], "gradNorms": [...]} on stdout
  gpt_reference.py bench DIR    time training steps; print JSON {"stepSeconds": [...]} (see
                                belamy's training benchmark)
  gpt_reference.py decode-paired DIR
                                read DIR/model.safetensors and DIR/decode.json; generate greedily
                                with a KV cache (eager PyTorch, as Hugging Face's past_key_values:
                                keys and values concatenated per step): after a warm-up, print
                                {"tokens": [...]}, then time one generation per "go" line on stdin
                                (the caller alternates with its own), answering {"seconds": s};
                                ends at "quit" or end of input

Needs only Debian's python3-torch (no transformers, no safetensors package).
"""
import json
import math
import struct
import sys
import time

import torch

DTYPES = {"F32": torch.float32, "I64": torch.int64, "F16": torch.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = memoryview(data)[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(body[begin:end]), dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
    return out


class Block(torch.nn.Module):
    def __init__(self, c, heads, inner, eps):
        super().__init__()
        self.heads = heads
        self.ln_1 = torch.nn.LayerNorm(c, eps=eps)
        self.ln_2 = torch.nn.LayerNorm(c, eps=eps)
        # Conv1D: weight [in, out]
        self.c_attn_w = torch.nn.Parameter(torch.zeros(c, 3 * c))
        self.c_attn_b = torch.nn.Parameter(torch.zeros(3 * c))
        self.attn_proj_w = torch.nn.Parameter(torch.zeros(c, c))
        self.attn_proj_b = torch.nn.Parameter(torch.zeros(c))
        self.c_fc_w = torch.nn.Parameter(torch.zeros(c, inner))
        self.c_fc_b = torch.nn.Parameter(torch.zeros(inner))
        self.mlp_proj_w = torch.nn.Parameter(torch.zeros(inner, c))
        self.mlp_proj_b = torch.nn.Parameter(torch.zeros(c))

    def forward(self, x, mask):
        b, t, c = x.shape
        h = self.heads
        qkv = self.ln_1(x) @ self.c_attn_w + self.c_attn_b
        q, k, v = qkv.split(c, dim=2)
        q = q.view(b, t, h, c // h).transpose(1, 2)
        k = k.view(b, t, h, c // h).transpose(1, 2)
        v = v.view(b, t, h, c // h).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // h) + mask
        y = att.softmax(-1) @ v
        y = y.transpose(1, 2).reshape(b, t, c)
        x = x + (y @ self.attn_proj_w + self.attn_proj_b)
        m = self.ln_2(x) @ self.c_fc_w + self.c_fc_b
        m = 0.5 * m * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (m + 0.044715 * torch.pow(m, 3.0))))
        return x + (m @ self.mlp_proj_w + self.mlp_proj_b)


def block_cached(blk, x, past, mask):
    """One block for new positions x (B, T, C) after cached keys/values past = (k, v) or None."""
    b, t, c = x.shape
    h = blk.heads
    qkv = blk.ln_1(x) @ blk.c_attn_w + blk.c_attn_b
    q, k, v = qkv.split(c, dim=2)
    q = q.view(b, t, h, c // h).transpose(1, 2)
    k = k.view(b, t, h, c // h).transpose(1, 2)
    v = v.view(b, t, h, c // h).transpose(1, 2)
    if past is not None:
        k = torch.cat([past[0], k], dim=2)
        v = torch.cat([past[1], v], dim=2)
    att = (q @ k.transpose(-2, -1)) / math.sqrt(c // h)
    if mask is not None:
        att = att + mask
    y = att.softmax(-1) @ v
    y = y.transpose(1, 2).reshape(b, t, c)
    x = x + (y @ blk.attn_proj_w + blk.attn_proj_b)
    m = blk.ln_2(x) @ blk.c_fc_w + blk.c_fc_b
    m = 0.5 * m * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (m + 0.044715 * torch.pow(m, 3.0))))
    return x + (m @ blk.mlp_proj_w + blk.mlp_proj_b), (k, v)


def generate_greedy(model, prompt, new_tokens, batch=1):
    """Greedy decoding with a KV cache: the prompt once, then one token per step, for `batch`
    copies of the prompt decoded together; returns the first row's tokens."""
    with torch.no_grad():
        ids = torch.tensor([prompt] * batch, dtype=torch.int64)
        past = [None] * len(model.blocks)
        t = ids.shape[1]
        x = model.wte[ids] + model.wpe[:t]
        mask = torch.full((t, t), torch.finfo(torch.float32).min).triu(1) if t > 1 else None
        for i, blk in enumerate(model.blocks):
            x, past[i] = block_cached(blk, x, None, mask)
        out = []
        position = t
        for _ in range(new_tokens):
            logits = model.ln_f(x[:, -1, :]) @ model.wte.t()
            tokens = logits.argmax(-1)
            out.append(int(tokens[0]))
            if len(out) == new_tokens:
                break
            x = model.wte[tokens.view(-1, 1)] + model.wpe[position:position + 1]
            position += 1
            for i, blk in enumerate(model.blocks):
                x, past[i] = block_cached(blk, x, past[i], None)
        return out


class Gpt(torch.nn.Module):
    def __init__(self, vocab, positions, c, layers, heads, inner, eps):
        super().__init__()
        self.wte = torch.nn.Parameter(torch.zeros(vocab, c))
        self.wpe = torch.nn.Parameter(torch.zeros(positions, c))
        self.blocks = torch.nn.ModuleList(Block(c, heads, inner, eps) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(c, eps=eps)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.wte[ids] + self.wpe[:t]
        mask = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)
        for blk in self.blocks:
            x = blk(x, mask)
        return self.ln_f(x) @ self.wte.t()

    def load_hf(self, tensors):
        """Copies Hugging Face GPT-2 tensors (transformer.*) into this model."""
        def put(param, name):
            with torch.no_grad():
                param.copy_(tensors[name])
        put(self.wte, "transformer.wte.weight")
        put(self.wpe, "transformer.wpe.weight")
        for i, blk in enumerate(self.blocks):
            p = f"transformer.h.{i}."
            put(blk.ln_1.weight, p + "ln_1.weight"); put(blk.ln_1.bias, p + "ln_1.bias")
            put(blk.ln_2.weight, p + "ln_2.weight"); put(blk.ln_2.bias, p + "ln_2.bias")
            put(blk.c_attn_w, p + "attn.c_attn.weight"); put(blk.c_attn_b, p + "attn.c_attn.bias")
            put(blk.attn_proj_w, p + "attn.c_proj.weight"); put(blk.attn_proj_b, p + "attn.c_proj.bias")
            put(blk.c_fc_w, p + "mlp.c_fc.weight"); put(blk.c_fc_b, p + "mlp.c_fc.bias")
            put(blk.mlp_proj_w, p + "mlp.c_proj.weight"); put(blk.mlp_proj_b, p + "mlp.c_proj.bias")
        put(self.ln_f.weight, "transformer.ln_f.weight"); put(self.ln_f.bias, "transformer.ln_f.bias")


def learning_rate(s, step):
    if step < s["warmupSteps"]:
        return s["peak"] * (step + 1) / s["warmupSteps"]
    if s["shape"] == "CONSTANT":
        return s["peak"]
    if step >= s["decaySteps"]:
        return s["minimum"]
    progress = (step - s["warmupSteps"]) / max(1, s["decaySteps"] - s["warmupSteps"])
    factor = 0.5 * (1 + math.cos(math.pi * progress)) if s["shape"] == "COSINE" else 1 - progress
    return s["minimum"] + factor * (s["peak"] - s["minimum"])


def build(directory):
    with open(f"{directory}/training.json") as f:
        cfg = json.load(f)
    m = cfg["model"]
    model = Gpt(m["vocabSize"], m["contextLength"], m["embeddingSize"], m["layers"], m["heads"],
                m["innerSize"], m["layerNormEpsilon"])
    model.load_hf(read_safetensors(f"{directory}/model.safetensors"))
    t = cfg["training"]
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": t["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=t["schedule"]["peak"], betas=(t["beta1"], t["beta2"]), eps=t["epsilon"])
    batches = read_safetensors(f"{directory}/batches.safetensors")
    return cfg, model, optimizer, batches


def step(model, optimizer, t, i, inputs, targets):
    for g in optimizer.param_groups:
        g["lr"] = learning_rate(t["schedule"], i)
    logits = model(inputs)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    norm = torch.sqrt(sum(p.grad.pow(2).sum() for p in model.parameters()))
    if t["maxGradNorm"] > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), t["maxGradNorm"])
    optimizer.step()
    return loss.item(), norm.item()


def decode_paired(directory):
    with open(f"{directory}/decode.json") as f:
        cfg = json.load(f)
    torch.set_num_threads(cfg.get("threads", 1))
    m = cfg["model"]
    model = Gpt(m["vocabSize"], m["contextLength"], m["embeddingSize"], m["layers"], m["heads"],
                m["innerSize"], m["layerNormEpsilon"])
    model.load_hf(read_safetensors(f"{directory}/model.safetensors"))
    model.eval()
    batch = cfg.get("batch", 1)
    tokens = generate_greedy(model, cfg["prompt"], cfg["newTokens"], batch)  # warm-up
    print(json.dumps({"tokens": tokens, "torch": torch.__version__,
                      "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        if line.strip() != "go":
            break
        start = time.perf_counter()
        generate_greedy(model, cfg["prompt"], cfg["newTokens"], batch)
        print(json.dumps({"seconds": time.perf_counter() - start}), flush=True)


def main():
    command, directory = sys.argv[1], sys.argv[2]
    if command == "decode-paired":
        decode_paired(directory)
        return
    cfg, model, optimizer, batches = build(directory)
    torch.set_num_threads(cfg.get("threads", 1))
    t = cfg["training"]
    inputs, targets = batches["inputs"], batches["targets"]
    if command == "train":
        losses, norms = [], []
        for i in range(inputs.shape[0]):
            loss, norm = step(model, optimizer, t, i, inputs[i], targets[i])
            losses.append(loss)
            norms.append(norm)
        print(json.dumps({"losses": losses, "gradNorms": norms, "torch": torch.__version__}))
    elif command == "bench":
        seconds = []
        for i in range(inputs.shape[0]):
            start = time.perf_counter()
            step(model, optimizer, t, i, inputs[i], targets[i])
            seconds.append(time.perf_counter() - start)
        print(json.dumps({"stepSeconds": seconds, "torch": torch.__version__, "threads": torch.get_num_threads()}))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
