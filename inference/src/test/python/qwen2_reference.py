"""The external reference for inference/gpu-check.sh, run with the device machine's python3.

Makes a tiny random Qwen2ForCausalLM with Hugging Face transformers, saves it as bf16 safetensors
into the folder given, and writes reference.json there: a prompt and transformers' logits after
its last token (computed in float32 from the saved bf16 weights). Also prints torch's bf16
matrix rate and copy bandwidth as 'torch-matmul-tflops X' and 'torch-copy-gbps Y' lines.
"""
import json
import sys

import torch
import transformers
from transformers import Qwen2Config, Qwen2ForCausalLM


def reference(folder):
    torch.manual_seed(15)
    config = Qwen2Config(vocab_size=1000, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                         rms_norm_eps=1e-6, tie_word_embeddings=False, use_sliding_window=False)
    model = Qwen2ForCausalLM(config)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.08)  # biases too: q/k/v biases are part of what is checked
    model = model.to(torch.bfloat16)
    model.save_pretrained(folder, safe_serialization=True)
    saved = json.load(open(f"{folder}/config.json"))
    theta = getattr(config, "rope_theta", None) or (getattr(config, "rope_parameters", None) or {}).get("rope_theta", 10000.0)
    saved["rope_theta"] = float(theta)  # newer transformers keep it under rope_parameters only
    json.dump(saved, open(f"{folder}/config.json", "w"), indent=2)
    prompt = [(i * 37 + 11) % 1000 for i in range(40)]
    with torch.no_grad():
        logits = model.float()(torch.tensor([prompt])).logits[0, -1].tolist()
    json.dump({"prompt": prompt, "logits": logits, "transformers": transformers.__version__,
               "rope_theta": theta}, open(f"{folder}/reference.json", "w"))
    print(f"qwen2 reference: transformers {transformers.__version__}, rope_theta {theta}, {len(logits)} logits")


def rates():
    if not torch.cuda.is_available():
        print("torch sees no GPU")
        return
    n = 8192
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(10):
        start.record()
        a @ b
        stop.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(stop))
    times.sort()
    print(f"torch-matmul-tflops {2 * n ** 3 / (times[5] / 1e3) / 1e12:.1f}")
    x = torch.empty(1 << 30, device="cuda", dtype=torch.float16)
    y = torch.empty_like(x)
    times = []
    for _ in range(10):
        start.record()
        y.copy_(x)
        stop.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(stop))
    times.sort()
    print(f"torch-copy-gbps {2 * x.numel() * 2 / (times[5] / 1e3) / 1e9:.0f}")


if __name__ == "__main__":
    reference(sys.argv[1])
    rates()
