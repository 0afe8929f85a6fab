"""The reference for tests/inception_reference_test.ts: torchvision's Inception3 with
pytorch-fid's FID blocks (written here from pytorch-fid's description: average pools that do not
count the padding, a max pool in the last block), random weights from a fixed seed saved with
torch.save in the layout of pt_inception-2015-12-05-6726825d.pth (1008-class fc, no aux head),
and its 2048-d pool3 features of a few fixed images.

usage: python3 fid_inception_reference.py OUT_DIR
writes OUT_DIR/weights.pth (zip format), OUT_DIR/weights_legacy.pth (the pre-1.6 format),
OUT_DIR/images_<i>.f32 (NHWC float32 in [-1, 1]) and prints JSON: weights.pth's SHA-256, the
images' shapes, their features (row-major, per image set) and the state dict's keys, shapes and
dtypes.
"""
import hashlib
import json
import sys

import torch
import torch.nn.functional as F
from torchvision.models import inception as tv


def avg_pool_no_pad(x):
    # TensorFlow's average pool (which the FID network was trained with) ignores the padding.
    return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)


def e_branches(block, x):
    b3 = block.branch3x3_1(x)
    b3 = torch.cat([block.branch3x3_2a(b3), block.branch3x3_2b(b3)], 1)
    d = block.branch3x3dbl_2(block.branch3x3dbl_1(x))
    d = torch.cat([block.branch3x3dbl_3a(d), block.branch3x3dbl_3b(d)], 1)
    return [block.branch1x1(x), b3, d]


class FidA(tv.InceptionA):
    def forward(self, x):
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        d = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch1x1(x), b5, d, self.branch_pool(avg_pool_no_pad(x))], 1)


class FidC(tv.InceptionC):
    def forward(self, x):
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d = x
        for k in range(1, 6):
            d = getattr(self, f"branch7x7dbl_{k}")(d)
        return torch.cat([self.branch1x1(x), b7, d, self.branch_pool(avg_pool_no_pad(x))], 1)


class FidE1(tv.InceptionE):
    def forward(self, x):
        return torch.cat(e_branches(self, x) + [self.branch_pool(avg_pool_no_pad(x))], 1)


class FidE2(tv.InceptionE):
    def forward(self, x):
        # The FID network's last block max-pools here (torchvision's averages).
        pooled = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        return torch.cat(e_branches(self, x) + [self.branch_pool(pooled)], 1)


def fid_inception():
    net = tv.Inception3(num_classes=1008, aux_logits=False, init_weights=False)
    net.Mixed_5b = FidA(192, pool_features=32)
    net.Mixed_5c = FidA(256, pool_features=64)
    net.Mixed_5d = FidA(288, pool_features=64)
    net.Mixed_6b = FidC(768, channels_7x7=128)
    net.Mixed_6c = FidC(768, channels_7x7=160)
    net.Mixed_6d = FidC(768, channels_7x7=160)
    net.Mixed_6e = FidC(768, channels_7x7=192)
    net.Mixed_7b = FidE1(1280)
    net.Mixed_7c = FidE2(2048)
    return net


def randomize(net, gen):
    """He-normal convolutions; batch norms with non-trivial scales, shifts and running stats."""
    for m in net.modules():
        if isinstance(m, torch.nn.Conv2d):
            fan_in = m.weight[0].numel()
            m.weight.data = torch.randn(m.weight.shape, generator=gen) * (2.0 / fan_in) ** 0.5
        elif isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.weight.data = 0.5 + torch.rand(c, generator=gen)
            m.bias.data = 0.2 * torch.randn(c, generator=gen)
            m.running_mean.data = 0.3 * torch.randn(c, generator=gen)
            m.running_var.data = 0.5 + 1.5 * torch.rand(c, generator=gen)
            m.num_batches_tracked.fill_(7)
        elif isinstance(m, torch.nn.Linear):
            m.weight.data = 0.01 * torch.randn(m.weight.shape, generator=gen)
            m.bias.data = 0.01 * torch.randn(m.bias.shape, generator=gen)


def images():
    """Fixed images in [-1, 1], NHWC: 4 RGB 32x32 and 2 grey 64x64 (smooth patterns and noise)."""
    gen = torch.Generator().manual_seed(1)
    sets = []
    for n, side, c in [(4, 32, 3), (2, 64, 1)]:
        y = torch.arange(side, dtype=torch.float32).view(1, side, 1, 1)
        x = torch.arange(side, dtype=torch.float32).view(1, 1, side, 1)
        k = torch.arange(n * c, dtype=torch.float32).view(n, 1, 1, c) + 1
        smooth = torch.sin(0.13 * k * x + 0.07 * y) * torch.cos(0.05 * k * y)
        noise = torch.rand((n, side, side, c), generator=gen) * 2 - 1
        sets.append((0.7 * smooth + 0.3 * noise).clamp(-1, 1).contiguous())
    return sets


def pool3(net, nhwc):
    """pytorch-fid's path: [0, 1] NCHW, bilinear to 299x299 (align_corners=False), 2x - 1."""
    x = ((nhwc + 1) / 2).permute(0, 3, 1, 2)
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
    x = 2 * x - 1
    for name in ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1",
                 "Conv2d_4a_3x3", "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a",
                 "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b",
                 "Mixed_7c"]:
        x = getattr(net, name)(x)
    return F.adaptive_avg_pool2d(x, (1, 1)).flatten(1)


def main(out):
    torch.set_num_threads(1)
    net = fid_inception()
    randomize(net, torch.Generator().manual_seed(0))
    net.eval()
    sd = net.state_dict()
    torch.save(sd, f"{out}/weights.pth")
    torch.save(sd, f"{out}/weights_legacy.pth", _use_new_zipfile_serialization=False)
    with open(f"{out}/weights.pth", "rb") as f:
        sha256 = hashlib.sha256(f.read()).hexdigest()
    keys = [[k, list(v.shape), str(v.dtype)] for k, v in sd.items()]
    result = {"sha256": sha256, "sets": [], "keys": keys}
    with torch.no_grad():
        for i, imgs in enumerate(images()):
            imgs.numpy().tofile(f"{out}/images_{i}.f32")
            f = pool3(net, imgs)
            result["sets"].append({"shape": list(imgs.shape), "features": f.flatten().tolist()})
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
