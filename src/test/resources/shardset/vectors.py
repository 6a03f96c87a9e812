# Independent Python ports used only to produce test vectors for the Java implementation.
M = (1 << 64) - 1
def jump(key, n):
    # Lamping & Veach, Figure 1 (C++), transcribed
    b, j = -1, 0
    key &= M
    while j < n:
        b = j
        key = (key * 2862933555777941757 + 1) & M
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b
def fnv1a64(data):
    h = 0xcbf29ce484222325
    for c in data:
        h ^= c
        h = (h * 0x100000001b3) & M
    return h
P1=0x9E3779B185EBCA87; P2=0xC2B2AE3D27D4EB4F; P3=0x165667B19E3779F9; P4=0x85EBCA77C2B2AE63; P5=0x27D4EB2F165667C5
def rotl(x,r): return ((x<<r)|(x>>(64-r)))&M
def rnd(acc,inp):
    acc=(acc+inp*P2)&M; acc=rotl(acc,31); return (acc*P1)&M
def merge(acc,v):
    acc ^= rnd(0,v); return (acc*P1+P4)&M
def xxh64(data, seed=0):
    n=len(data); i=0
    if n>=32:
        v1=(seed+P1+P2)&M; v2=(seed+P2)&M; v3=seed&M; v4=(seed-P1)&M
        while i+32<=n:
            v1=rnd(v1,int.from_bytes(data[i:i+8],'little')); v2=rnd(v2,int.from_bytes(data[i+8:i+16],'little'))
            v3=rnd(v3,int.from_bytes(data[i+16:i+24],'little')); v4=rnd(v4,int.from_bytes(data[i+24:i+32],'little')); i+=32
        h=(rotl(v1,1)+rotl(v2,7)+rotl(v3,12)+rotl(v4,18))&M
        for v in (v1,v2,v3,v4): h=merge(h,v)
    else:
        h=(seed+P5)&M
    h=(h+n)&M
    while i+8<=n:
        h^=rnd(0,int.from_bytes(data[i:i+8],'little')); h=(rotl(h,27)*P1+P4)&M; i+=8
    if i+4<=n:
        h^=(int.from_bytes(data[i:i+4],'little')*P1)&M; h=(rotl(h,23)*P2+P3)&M; i+=4
    while i<n:
        h^=(data[i]*P5)&M; h=(rotl(h,11)*P1)&M; i+=1
    h^=h>>33; h=(h*P2)&M; h^=h>>29; h=(h*P3)&M; h^=h>>32
    return h
for k,n in [(0,1),(0,10),(1,10),(2,10),(42,4),(250,4),(251,4),(1000,4),(123456789,100),(0xFFFFFFFFFFFFFFFF,1000),(-1,1000),(2**63,7),(10863919174838991,11),(2016238256797177309,11),(1673758223894951030,11),(2,100000),(12345,2**31-1)]:
    print("jump", k, n, jump(k,n))
for s in [b"", b"a", b"foobar", b"restaurant-42"]:
    print("fnv", s, hex(fnv1a64(s)))
for s in [b"", b"a", b"abc", b"restaurant-42", b"Nobody inspects the spammish repetition", bytes(range(100))]:
    print("xxh", s[:20], len(s), hex(xxh64(s)))
